import type { Page, TestInfo } from '@playwright/test';
import { operationList } from '../contracts/operations.ts';
import { CHROMIUM_MISSING } from './support/chromium.ts';
import { expectResponse } from './support/contract.ts';
import { expect, NO_DELETE, test, unique } from './support/items.ts';
import { DEPLOYMENT_TARGET } from './support/target.ts';

test.skip(CHROMIUM_MISSING !== undefined, CHROMIUM_MISSING);

/**
 * Fails the page's test on any request off this origin (the page must work offline; only the
 * token endpoint may be another origin) and on any error.
 */
async function guard(
  page: Page,
  baseURL: string | undefined,
  alsoAllowed: readonly string[] = [],
): Promise<{ foreign: string[]; errors: string[] }> {
  const allowed = new Set([new URL(baseURL as string).origin, ...alsoAllowed]);
  const foreign: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || allowed.has(new URL(url).origin)) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { foreign, errors };
}

/** A screenshot as a test artifact; none of a deployment, whose pages show its data. */
async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  if (DEPLOYMENT_TARGET) return;
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

test('Swagger UI at /docs renders every operation from our own files', async ({
  page,
  baseURL,
}, testInfo) => {
  const { foreign, errors } = await guard(page, baseURL);
  await page.goto('/docs');
  await expect(page.locator('.opblock')).toHaveCount(operationList.length);
  for (const op of operationList) {
    await expect(page.locator(`#operations-${op.tag}-${op.operationId}`)).toBeVisible();
  }

  const put = page.locator('#operations-Items-putItem');
  await put.locator('.opblock-summary').click();
  await expect(put.getByRole('button', { name: 'Try it out' })).toBeVisible();
  for (const status of Object.keys(
    operationList.find((op) => op.operationId === 'putItem')?.responses ?? {},
  )) {
    await expect(put.locator(`tr.response[data-code="${status}"]`)).toBeVisible();
  }
  await screenshot(page, testInfo, 'swagger-ui');
  expect(foreign, 'requests off this origin').toEqual([]);
  expect(errors, 'console errors (CSP violations included)').toEqual([]);
});

test('"Authorize", then "Try it out" works for every operation, DELETE included, through the load balancer', async ({
  page,
  baseURL,
  request,
  auth,
}, testInfo) => {
  test.skip(NO_DELETE, 'SMOKE_NO_DELETE=1: the target does not serve DELETE');
  test.skip(auth.mode === 'none', 'AUTH_MODE=none: there is nothing to authorize');
  // Eleven operations driven through the page, each a render of its panel: on a shared 2-core
  // machine under load that takes more than the default 30 s budget (a budget, not a timing claim).
  test.setTimeout(120_000);
  const client = auth.client as NonNullable<typeof auth.client>;
  const created = await expectResponse(
    await request.post('/picus/put', { data: { marker: unique('try-it-out') } }),
    'putItem',
    201,
  );
  const tokenOrigin = new URL(auth.tokenUrl as string).origin;
  const { foreign, errors } = await guard(page, baseURL, [tokenOrigin]);
  await page.goto('/docs');

  /** Runs one operation from its panel and returns the status Swagger UI shows. */
  const tryIt = async (operationId: string, params: Record<string, string> = {}) => {
    const op = page.locator(`[id$="-${operationId}"]`);
    if (!(await op.getByRole('button', { name: 'Execute' }).isVisible())) {
      await op.locator('.opblock-summary').click();
      await op.getByRole('button', { name: 'Try it out' }).click();
    }
    for (const [name, value] of Object.entries(params)) {
      await op.locator(`tr[data-param-name="${name}"] input`).fill(value);
    }
    const live = op.locator('.live-responses-table tbody .response-col_status');
    await op.getByRole('button', { name: 'Execute' }).click();
    await expect(live).toHaveText(/^\d{3}$/);
    const status = (await live.textContent()) as string;
    await op.getByRole('button', { name: 'Clear' }).click();
    return status;
  };

  // Before authorizing, the API refuses (and the browser logs the 401: that one is expected).
  expect(await tryIt('deleteItem', { key: created.object_id })).toBe('401');
  expect(errors.splice(0)).toEqual([
    'Failed to load resource: the server responded with a status of 401 (Unauthorized)',
  ]);

  await page.locator('.scheme-container').getByRole('button', { name: 'Authorize' }).click();
  const dialog = page.locator('.modal-ux');
  await dialog.locator('input[data-name="clientId"]').fill(client.id);
  await dialog.locator('input[data-name="clientSecret"]').fill(client.secret);
  await dialog.locator('.auth-btn-wrapper button', { hasText: 'Authorize' }).click();
  await expect(dialog.locator('.auth-btn-wrapper button', { hasText: 'Logout' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();

  expect(await tryIt('getHealth')).toBe('200');
  expect(await tryIt('getReady')).toBe('200');
  expect(await tryIt('listItems')).toBe('200');
  // No shared pre-filled Idempotency-Key: two puts of different bodies straight from the page both store.
  const putPanel = page.locator('[id$="-putItem"]');
  expect(await tryIt('putItem')).toBe('201');
  await expect(putPanel.locator('tr[data-param-name="idempotency-key"] input')).toHaveValue('');
  await putPanel.locator('textarea.body-param__text').fill(JSON.stringify({ marker: unique('docs-edited') }));
  expect(await tryIt('putItem')).toBe('201');
  expect(await tryIt('putItem', { 'idempotency-key': unique('docs') })).toBe('201');
  expect(await tryIt('getItem', { key: created.object_id })).toBe('200');
  expect(await tryIt('deleteItem', { key: created.object_id })).toBe('200');
  await screenshot(page, testInfo, 'try-it-out-authorized');
  await expectResponse(await request.get(`/picus/get/${created.object_id}`), 'getItem', 404);
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});
