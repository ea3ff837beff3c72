import { afterAll, beforeAll, expect, test } from 'bun:test';
import fc from 'fast-check';
import { MemoryItemRepository } from '../../../adapters/memory/memory-item-repository.ts';
import { Problem } from '../../../contracts/problem.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { createAuthorizer } from '../../shared/auth/authorizer.ts';
import { startTestIssuer, type TestIssuer } from '../../shared/auth/test/test-issuer.ts';
import { createLogger } from '../../shared/logger.ts';
import {
  hostileAuthorization,
  hostileBody,
  hostileContentType,
  hostileHeaderValue,
  hostilePath,
  hostileQuery,
} from '../../test/fuzz-arbitraries.ts';
import { createApp } from '../app.ts';
import { withEnvelope } from '../envelope.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

let issuer: TestIssuer;
let stranger: TestIssuer;
let authorization: ReturnType<typeof hostileAuthorization>;
beforeAll(async () => {
  issuer = await startTestIssuer();
  stranger = await startTestIssuer();
  const now = Math.floor(Date.now() / 1000);
  authorization = hostileAuthorization(await issuer.token(), [
    await issuer.token({ scope: 'picus/read' }),
    await issuer.token({ sub: 'client-2', client_id: 'client-2' }),
    await issuer.token({ exp: now - 3600 }),
    await stranger.token(),
  ]);
});
afterAll(async () => {
  await issuer.stop();
  await stranger.stop();
});

const anyRequest = {
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'FOO'),
  path: hostilePath,
  query: hostileQuery,
  contentType: hostileContentType,
  idempotencyKey: fc.option(hostileHeaderValue, { nil: undefined }),
  requestId: fc.option(hostileHeaderValue, { nil: undefined }),
  body: hostileBody,
};

// Random paths rarely hit the write endpoint, so a third of the cases aim at it directly.
const hostileRequest = () =>
  fc.oneof(
    { arbitrary: fc.record({ ...anyRequest, authorization }), weight: 2 },
    {
      arbitrary: fc.record({
        ...anyRequest,
        authorization,
        method: fc.constant('POST'),
        path: fc.constant('/picus/put'),
      }),
      weight: 1,
    },
  );

test(`HTTP API under ${RUNS} generated requests with tokens: no 5xx, problem+json errors, request ids, no stray writes`, async () => {
  const repository = new MemoryItemRepository();
  const app = createApp({ service: new ItemService(repository), auth: createAuthorizer(issuer.settings) });
  const handle = withEnvelope(app.handle, createLogger('silent'));
  const statuses = new Map<number, number>();
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(hostileRequest(), async (r) => {
      cases++;
      const headers = new Headers();
      if (r.authorization !== undefined) headers.set('authorization', r.authorization);
      if (r.contentType !== undefined) headers.set('content-type', r.contentType);
      if (r.idempotencyKey !== undefined) headers.set('idempotency-key', r.idempotencyKey);
      if (r.requestId !== undefined) headers.set('x-request-id', r.requestId);
      const hasBody = r.method !== 'GET' && r.method !== 'HEAD' && r.body !== undefined;
      const before = repository.size;
      const response = await handle(
        new Request(`http://picus.test${r.path}${r.query}`, {
          method: r.method,
          headers,
          body: hasBody ? r.body : undefined,
        }),
      );
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status).toBeLessThan(500);
      const requestId = response.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const text = await response.text();
      if (response.status >= 400) {
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        if (r.method === 'HEAD' && text === '') return; // a HEAD answer may carry headers only
        const problem = Problem.parse(JSON.parse(text));
        expect(problem.status).toBe(response.status);
        expect(problem.request_id).toBe(requestId as string);
        expect(text).not.toMatch(/\n\s+at |node_modules|Error:/);
        if (response.status === 405) expect(response.headers.get('allow')).toBeTruthy();
        if (response.status === 401 || response.status === 403) {
          expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="picus"/);
        }
      }
      // Only a 201 that was not a replay may add an item; nothing here may remove one.
      const created = response.status === 201 && response.headers.get('idempotent-replayed') !== 'true';
      expect(repository.size).toBe(before + (created ? 1 : 0));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }),
    { numRuns: RUNS },
  );
  console.log(
    `fuzz(http): ${cases} cases; statuses ${[...statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`,
  );
  expect(cases).toBe(RUNS);
}, 120_000);
