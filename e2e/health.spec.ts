import { operations } from '../contracts/operations.ts';
import { expectResponse, requestIdOf } from './support/contract.ts';
import { expect, test } from './support/items.ts';
import { startStoreDownContainer } from './support/store-down.ts';

test.describe('health and readiness', () => {
  test('GET /health is 200 {"status":"ok"}', { tag: '@smoke' }, async ({ request }) => {
    const body = await expectResponse(await request.get('/health'), 'health', 200);
    expect(body).toEqual({ status: 'ok' });
  });

  test('GET /ready is 200 {"status":"ready"} while the store answers', async ({ request }) => {
    const body = await expectResponse(await request.get('/ready'), 'ready', 200);
    expect(body).toEqual({ status: 'ready' });
  });

  // Not the target's store (a test cannot take a deployment's or the shared local stack's down):
  // a container of this checkout started with a DynamoDB endpoint nothing listens on.
  test('GET /ready is 503 with Retry-After when the store is down', async ({ request }) => {
    const container = await startStoreDownContainer();
    try {
      const response = await request.get(`${container.url}/ready`);
      const problem = await expectResponse(response, 'ready', 503);
      const documented = Object.values(operations.ready.responses[503].examples).map((e) => e.value.type);
      expect(documented).toContain(problem.type);
      expect(response.headers()['retry-after']).toBe('1');
      // Liveness never touches the store.
      await expectResponse(await request.get(`${container.url}/health`), 'health', 200);
    } finally {
      await container.stop();
    }
  });
});

test.describe('x-request-id', () => {
  test('a sane caller id is echoed, on success and in problem bodies', async ({ request }) => {
    const id = `e2e-${crypto.randomUUID()}`;
    const ok = await request.get('/health', { headers: { 'x-request-id': id } });
    await expectResponse(ok, 'health', 200);
    expect(requestIdOf(ok)).toBe(id);
    const missing = await request.get(`/picus/get/${id}`, { headers: { 'x-request-id': id } });
    const problem = await expectResponse(missing, 'getItem', 404);
    expect(problem.request_id).toBe(id);
  });

  test('an insane caller id is replaced by a fresh one', async ({ request }) => {
    for (const bad of ['has spaces in it', 'x'.repeat(129), 'semi;colon', '<script>']) {
      const response = await request.get('/health', { headers: { 'x-request-id': bad } });
      await expectResponse(response, 'health', 200);
      expect(requestIdOf(response)).not.toBe(bad);
    }
  });

  test('without one, the X-Ray trace root names the request', async ({ request }) => {
    const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${crypto.randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const response = await request.get('/health', {
      headers: { 'x-amzn-trace-id': `Root=${root};Sampled=0` },
    });
    await expectResponse(response, 'health', 200);
    expect(requestIdOf(response)).toBe(root);
  });

  test('every response gets a distinct id when the caller sends none', async ({ request }) => {
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const response = await request.get('/health');
      await expectResponse(response, 'health', 200);
      ids.add(requestIdOf(response));
    }
    expect(ids.size).toBe(5);
  });
});
