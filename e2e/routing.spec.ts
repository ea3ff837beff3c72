import { expectRouteProblem } from './support/contract.ts';
import { expect, test } from './support/items.ts';

test.describe('routing', () => {
  test('an unknown path is a 404 problem', { tag: '@smoke' }, async ({ request }) => {
    for (const path of ['/nowhere', '/picus', '/picus/get/a/b', '/picus/list/extra']) {
      const problem = await expectRouteProblem(await request.get(path), 404);
      expect(problem.type).toBe('about:blank');
    }
  });

  test('a known path with a wrong method is a 405 with Allow', { tag: '@smoke' }, async ({ request }) => {
    const cases = [
      // /picus/put and /picus/list are also /picus/{key}, which DELETE accepts.
      { response: await request.put('/picus/put', { data: '{}' }), allow: 'POST, DELETE' },
      { response: await request.get('/picus/put'), allow: 'POST, DELETE' },
      { response: await request.post('/picus/list'), allow: 'GET, DELETE' },
      { response: await request.post('/health'), allow: 'GET' },
      { response: await request.delete('/ready'), allow: 'GET' },
      { response: await request.post('/picus/get/some-key'), allow: 'GET' },
      { response: await request.get('/picus/some-key'), allow: 'DELETE' },
      { response: await request.patch('/picus/some-key'), allow: 'DELETE' },
    ];
    for (const { response, allow } of cases) {
      await expectRouteProblem(response, 405);
      expect(response.headers().allow, response.url()).toBe(allow);
    }
  });

  test('problems are problem+json with every field', { tag: '@smoke' }, async ({ request }) => {
    const response = await request.get('/nowhere');
    const problem = await expectRouteProblem(response, 404);
    expect(Object.keys(problem).sort()).toEqual(['detail', 'request_id', 'status', 'title', 'type']);
    expect(problem.detail.length).toBeGreaterThan(0);
  });

  test('responses are not sniffed or cached', async ({ request }) => {
    for (const response of [await request.get('/health'), await request.get('/nowhere')]) {
      expect(response.headers()['x-content-type-options']).toBe('nosniff');
      expect(response.headers()['cache-control']).toBe('no-store');
    }
  });
});
