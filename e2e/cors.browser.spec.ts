import type { Page } from '@playwright/test';
import { CHROMIUM_MISSING } from './support/chromium.ts';
import { LOCAL_CORS_ORIGIN } from './support/cors.ts';
import { expect, LOCAL_TARGET, NO_DELETE, test, unique } from './support/items.ts';

test.skip(CHROMIUM_MISSING !== undefined, CHROMIUM_MISSING);

/**
 * A browser script on another origin calls the API (CORS). The page's origin must be one the
 * target lists in CORS_ALLOWED_ORIGINS: CORS_TEST_ORIGIN names it (the local stack the suite
 * starts allows LOCAL_CORS_ORIGIN). Chromium loads the page from that origin through a route,
 * so nothing needs to serve it.
 */
const ALLOWED = process.env.CORS_TEST_ORIGIN ?? (LOCAL_TARGET ? LOCAL_CORS_ORIGIN : undefined);
const NOT_ALLOWED = 'http://localhost:5174';

test.skip(
  ALLOWED === undefined,
  'CORS_TEST_ORIGIN unset: name an origin the target lists in CORS_ALLOWED_ORIGINS to run the CORS test',
);

/**
 * Opens an empty page whose origin is `origin`. It may reach loopback (as a user allows a local
 * app when Chromium asks, for Local Network Access), so what decides below is CORS alone.
 */
async function pageAt(page: Page, origin: string): Promise<void> {
  await page.context().grantPermissions(['local-network-access'], { origin });
  await page.route(`${origin}/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>client</title>' }),
  );
  await page.goto(`${origin}/`);
}

/** What a script on the page sees of one fetch: status, readable headers and body, or the failure. */
interface Seen {
  status?: number;
  headers?: Record<string, string | null>;
  body?: unknown;
  failure?: string;
}

/** A fetch's options as they cross into the page (plain, serializable). */
interface PageFetch {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

function fetchFromPage(
  page: Page,
  url: string,
  init: PageFetch,
  read: readonly string[] = [],
): Promise<Seen> {
  return page.evaluate(
    async ({ url, init, read }) => {
      try {
        const response = await fetch(url, init);
        const text = await response.text();
        return {
          status: response.status,
          headers: Object.fromEntries(read.map((name) => [name, response.headers.get(name)])),
          body: text === '' ? undefined : JSON.parse(text),
        };
      } catch (error) {
        return { failure: String(error) };
      }
    },
    { url, init, read },
  );
}

test('a page on an allowed origin puts, reads, lists and deletes, and reads the API’s headers and errors', async ({
  page,
  baseURL,
  authorization,
}) => {
  await pageAt(page, ALLOWED as string);
  const api = baseURL as string;
  const key = unique('cors');
  const putOnce = () =>
    fetchFromPage(
      page,
      `${api}/picus/put`,
      {
        method: 'POST',
        headers: { ...authorization, 'content-type': 'application/json', 'idempotency-key': key },
        body: '{"from":"another origin","n":12345678901234567890}',
      },
      ['location', 'x-request-id', 'idempotent-replayed'],
    );
  const put = await putOnce();
  expect(put.failure).toBeUndefined();
  expect(put.status).toBe(201);
  const { object_id } = put.body as { object_id: string };
  expect(put.headers?.location).toBe(`/picus/get/${object_id}`);
  expect(put.headers?.['x-request-id']).toBeTruthy();
  const replay = await putOnce();
  expect(replay.headers?.['idempotent-replayed']).toBe('true');

  const read = await fetchFromPage(page, `${api}/picus/get/${object_id}`, { headers: authorization });
  expect(read.status).toBe(200);
  expect((await fetchFromPage(page, `${api}/picus/list?limit=1`, { headers: authorization })).status).toBe(
    200,
  );

  // Errors are readable too: the problem body and the challenge of a 401.
  const anonymous = await fetchFromPage(page, `${api}/picus/list`, {}, ['www-authenticate']);
  expect(anonymous.status).toBe(authorization.authorization ? 401 : 200);
  if (authorization.authorization) expect(anonymous.headers?.['www-authenticate']).toContain('Bearer');

  if (!NO_DELETE) {
    const deleted = await fetchFromPage(page, `${api}/picus/${object_id}`, {
      method: 'DELETE',
      headers: authorization,
    });
    expect(deleted.status).toBe(200);
    const gone = await fetchFromPage(page, `${api}/picus/get/${object_id}`, { headers: authorization });
    expect(gone.status).toBe(404);
    expect((gone.body as { status: number }).status).toBe(404);
  }
});

test('a page on an origin not allowed cannot call the API: CORS stops it', async ({
  page,
  baseURL,
  authorization,
}) => {
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  await pageAt(page, NOT_ALLOWED);
  const seen = await fetchFromPage(page, `${baseURL}/picus/list`, { headers: authorization });
  expect(seen.failure).toMatch(/Failed to fetch/);
  expect(console.join('\n')).toContain(`from origin '${NOT_ALLOWED}' has been blocked by CORS policy`);
});
