import { describe, expect, test } from 'bun:test';
import { MemoryItemRepository } from '../../../adapters/memory/memory-item-repository.ts';
import { DeleteItemResponse, Item, ListItemsResponse, PutItemResponse } from '../../../contracts/item.ts';
import { Problem } from '../../../contracts/problem.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { issuerForTests } from '../../shared/auth/test/test-issuer.ts';
import { createLogger, type RequestLogEntry } from '../../shared/logger.ts';
import { createApp } from '../app.ts';
import { pathOf, withEnvelope } from '../envelope.ts';

const BASE = 'http://picus.test';

/** The issuer, an authorizer trusting it, and a token with every scope for client-1 (sent by `call`). */
const tokens = issuerForTests();

function harness() {
  const repository = new MemoryItemRepository();
  const lines: string[] = [];
  const logger = createLogger('info', (line) => lines.push(line));
  const app = createApp({ service: new ItemService(repository), auth: tokens.auth });
  const handle = withEnvelope(app.handle, logger);
  const call = (path: string, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${tokens.token}`);
    return handle(new Request(`${BASE}${path}`, { ...init, headers }));
  };
  const put = (body: unknown, headers: Record<string, string> = {}) =>
    call('/picus/put', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return { repository, lines, call, put };
}

async function expectProblem(response: Response, status: number): Promise<Problem> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const problem = Problem.parse(await response.json());
  expect(problem.status).toBe(status);
  expect(problem.request_id).toBe(response.headers.get('x-request-id') as string);
  return problem;
}

describe('health and readiness', () => {
  test('GET /health is 200 {"status":"ok"}', async () => {
    const response = await harness().call('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  test('GET /ready is 200 while the store answers', async () => {
    const response = await harness().call('/ready');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });
});

describe('POST /picus/put', () => {
  test('201 with object_id, created_at and Location', async () => {
    const { put, call } = harness();
    const response = await put({ name: 'widget', tags: ['a'] });
    expect(response.status).toBe(201);
    const body = PutItemResponse.parse(await response.json());
    expect(response.headers.get('location')).toBe(`/picus/get/${body.object_id}`);
    const fetched = Item.parse(await (await call(`/picus/get/${body.object_id}`)).json());
    expect(fetched).toEqual({
      object_id: body.object_id,
      created_at: body.created_at,
      created_by: 'client-1',
      data: { name: 'widget', tags: ['a'] },
    });
  });

  test('accepts application/*+json and a utf-8 charset', async () => {
    const { call } = harness();
    for (const type of [
      'application/json; charset=utf-8',
      'application/merge-patch+json',
      'APPLICATION/JSON',
    ]) {
      const response = await call('/picus/put', {
        method: 'POST',
        headers: { 'content-type': type },
        body: '{}',
      });
      expect(response.status).toBe(201);
    }
  });

  test('malformed JSON, invalid UTF-8 and an empty body are 400', async () => {
    const { put, call } = harness();
    await expectProblem(await put('{"a": 1'), 400);
    await expectProblem(await put(''), 400);
    const invalidUtf8 = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    await expectProblem(
      await call('/picus/put', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: invalidUtf8,
      }),
      400,
    );
  });

  test.each([['[1,2]'], ['"text"'], ['42'], ['null'], ['true']])(
    'a JSON %s that is not an object is 422',
    async (body) => {
      await expectProblem(await harness().put(body), 422);
    },
  );

  test('nesting deeper than DynamoDB allows is 422, even far beyond the parser stack', async () => {
    const { put } = harness();
    await expectProblem(await put(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`), 422);
    await expectProblem(await put(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), 422);
  });

  test('a Content-Type that is not JSON is 415', async () => {
    const { call } = harness();
    const cases: Record<string, string>[] = [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/json; charset=latin1' },
      {},
    ];
    for (const headers of cases) {
      await expectProblem(await call('/picus/put', { method: 'POST', headers, body: '{}' }), 415);
    }
  });

  test('a body over 256 KiB is 413, declared or streamed', async () => {
    const { put, call } = harness();
    const big = JSON.stringify({ blob: 'x'.repeat(256 * 1024) });
    await expectProblem(await put(big), 413);
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 300; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        controller.close();
      },
    });
    const chunked = await call('/picus/put', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
    });
    await expectProblem(chunked, 413);
    const justFits = JSON.stringify({ blob: 'x'.repeat(256 * 1024 - 20) });
    expect((await put(justFits)).status).toBe(201);
  });

  test('Idempotency-Key: same body replays, another body conflicts', async () => {
    const { put, repository } = harness();
    const first = await put({ a: 1 }, { 'idempotency-key': 'abc-123' });
    const again = await put({ a: 1 }, { 'idempotency-key': 'abc-123' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
    await expectProblem(await put({ a: 2 }, { 'idempotency-key': 'abc-123' }), 409);
    await expectProblem(await put({ a: 2 }, { 'idempotency-key': 'bad key' }), 400);
    expect(repository.size).toBe(1);
  });
});

describe('GET /picus/get/{key}', () => {
  test('404 for an absent key', async () => {
    await expectProblem(await harness().call('/picus/get/nope'), 404);
  });

  test('URL-encoded keys are decoded', async () => {
    const { repository, call } = harness();
    await repository.create({
      object_id: 'a/b c✓',
      data: { ok: true },
      created_at: new Date().toISOString(),
      created_by: null,
    });
    const response = await call(`/picus/get/${encodeURIComponent('a/b c✓')}`);
    expect(response.status).toBe(200);
    expect(Item.parse(await response.json()).object_id).toBe('a/b c✓');
  });

  test('400 for an empty, overlong or badly encoded key', async () => {
    const { call } = harness();
    await expectProblem(await call('/picus/get/'), 400);
    await expectProblem(await call(`/picus/get/${'k'.repeat(1025)}`), 400);
    await expectProblem(await call('/picus/get/%E0%A4%A'), 400);
    await expectProblem(await call('/picus/get/%ED%A0%80'), 400);
    expect((await call(`/picus/get/${'k'.repeat(1024)}`)).status).toBe(404);
  });
});

describe('GET /picus/list', () => {
  test('pages to the end with next_cursor, every item exactly once', async () => {
    const { put, call } = harness();
    const created = new Set<string>();
    for (let i = 0; i < 12; i++)
      created.add(PutItemResponse.parse(await (await put({ i })).json()).object_id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = ListItemsResponse.parse(await (await call(`/picus/list?limit=5${query}`)).json());
      expect(page.count).toBe(page.items.length);
      seen.push(...page.items.map((item) => item.object_id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...created].sort());
  });

  test('default page size is 100', async () => {
    const { put, call } = harness();
    for (let i = 0; i < 101; i++) await put({ i });
    const page = ListItemsResponse.parse(await (await call('/picus/list')).json());
    expect(page.count).toBe(100);
    expect(page.next_cursor).not.toBeNull();
  });

  test.each([
    ['0'],
    ['1001'],
    ['abc'],
    ['1.5'],
    ['-1'],
    [''],
    ['0x10'],
    ['1e2'],
    ['%201'],
    ['1%20'],
    ['+5'],
    ['05'],
    ['10.0'],
    ['99999999999999999999999'],
  ])('limit=%s is 400 naming the rule', async (limit) => {
    const problem = await expectProblem(await harness().call(`/picus/list?limit=${limit}`), 400);
    expect(problem.detail).toBe('limit must be an integer from 1 to 1000.');
  });

  test.each([['1'], ['1000'], ['537']])('limit=%s is a page of at most that many', async (limit) => {
    const response = await harness().call(`/picus/list?limit=${limit}`);
    expect(response.status).toBe(200);
  });

  test.each([
    ['limit=1&limit=2', 'limit given more than once.'],
    ['limit=5&limit=5', 'limit given more than once.'],
    ['cursor=a&cursor=b', 'cursor given more than once.'],
  ])('%s is 400: a parameter given more than once', async (query, detail) => {
    const problem = await expectProblem(await harness().call(`/picus/list?${query}`), 400);
    expect(problem.detail).toBe(detail);
  });

  test('a cursor that does not decode to one of ours is 400', async () => {
    const { call } = harness();
    for (const cursor of ['garbage!', 'eyJ2Ijo5fQ', Buffer.from('{"v":1,"k":""}').toString('base64url')]) {
      const problem = await expectProblem(await call(`/picus/list?cursor=${cursor}`), 400);
      expect(problem.detail).toBe('cursor is not a value this API returned as next_cursor.');
    }
    const empty = await expectProblem(await call('/picus/list?cursor='), 400);
    expect(empty.detail).toBe('cursor must not be empty.');
    const long = await expectProblem(await call(`/picus/list?cursor=${'A'.repeat(4097)}`), 400);
    expect(long.detail).toBe('cursor is longer than 4096 characters.');
  });

  test('a well-formed cursor built by hand is honoured: the scan resumes after the key it names', async () => {
    const { put, call } = harness();
    for (let i = 0; i < 4; i++) await put({ i });
    const all = ListItemsResponse.parse(await (await call('/picus/list')).json()).items.map(
      (item) => item.object_id,
    );
    const forged = Buffer.from(JSON.stringify({ v: 1, k: all[1] })).toString('base64url');
    const page = ListItemsResponse.parse(await (await call(`/picus/list?cursor=${forged}`)).json());
    expect(page.items.map((item) => item.object_id)).toEqual(all.slice(2));
    const before = Buffer.from(JSON.stringify({ v: 1, k: 'zzzz' })).toString('base64url');
    expect((await call(`/picus/list?cursor=${before}`)).status).toBe(200);
  });
});

describe('routing errors', () => {
  test('unknown path is 404 problem+json', async () => {
    await expectProblem(await harness().call('/nope'), 404);
  });

  test('a key is one path segment: a trailing slash is 404, never the item without it', async () => {
    const { put, call } = harness();
    const { object_id } = PutItemResponse.parse(await (await put({ a: 1 })).json());
    expect((await call(`/picus/get/${object_id}`)).status).toBe(200);
    for (const path of [`/picus/get/${object_id}/`, '/picus/list/', '/health/', '/docs/', '/openapi.json/']) {
      const problem = await expectProblem(await call(path), 404);
      expect(problem.detail).toBe(`No resource at ${path}.`);
    }
    await expectProblem(await call('/picus/put/', { method: 'POST', body: '{}' }), 404);
  });

  test('a known path with a wrong method is 405 with Allow', async () => {
    const { call } = harness();
    const problem = await call('/picus/put', { method: 'GET' });
    await expectProblem(problem, 405);
    expect(problem.headers.get('allow')).toBe('POST, DELETE');
    const health = await call('/health', { method: 'POST' });
    await expectProblem(health, 405);
    expect(health.headers.get('allow')).toBe('GET');
    const getItem = await call('/picus/get/x', { method: 'PATCH' });
    expect(getItem.headers.get('allow')).toBe('GET');
  });

  test('a short Host header still routes correctly', async () => {
    const { repository } = harness();
    const app = createApp({ service: new ItemService(repository), auth: tokens.auth });
    const headers = { authorization: `Bearer ${tokens.token}` };
    for (const origin of ['http://a', 'http://ab:1', 'http://[::1]', 'http://127.0.0.1:8000']) {
      const request = new Request(`${origin}/picus/list`, { headers });
      const answer = await app.handle(request, pathOf(request.url));
      expect('reply' in answer && answer.reply.status).toBe(200);
    }
  });

  test('DELETE is the Lambda’s: the container answers 404, not 405', async () => {
    await expectProblem(await harness().call('/picus/some-key', { method: 'DELETE' }), 404);
  });
});

describe('envelope', () => {
  test('x-request-id: the caller’s if sane, else the trace root, else new', async () => {
    const { call } = harness();
    expect(
      (await call('/health', { headers: { 'x-request-id': 'req-42' } })).headers.get('x-request-id'),
    ).toBe('req-42');
    const trace = 'Root=1-67891233-abcdef012345678912345678;Sampled=1';
    const fromTrace = await call('/health', {
      headers: { 'x-request-id': 'bad id!', 'x-amzn-trace-id': trace },
    });
    expect(fromTrace.headers.get('x-request-id')).toBe('1-67891233-abcdef012345678912345678');
    expect((await call('/health')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('security headers on every response, no x-powered-by', async () => {
    const { call } = harness();
    for (const response of [await call('/health'), await call('/nope')]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  test('one JSON log line per request', async () => {
    const { call, lines } = harness();
    await call('/picus/get/missing', { headers: { 'x-request-id': 'log-me' } });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0] as string) as RequestLogEntry & { time: string; level: string };
    expect(entry).toMatchObject({
      level: 'info',
      request_id: 'log-me',
      method: 'GET',
      path: '/picus/get/missing',
      status: 404,
    });
    expect(new Date(entry.time).toISOString()).toBe(entry.time);
    expect(typeof entry.latency_ms).toBe('number');
  });
});

describe('DeleteItemResponse contract', () => {
  test('rejects a body that does not confirm the deletion', () => {
    expect(DeleteItemResponse.safeParse({ object_id: 'x', deleted: false }).success).toBe(false);
  });
});

describe('authentication and scopes', () => {
  const protectedCalls: [string, string, RequestInit][] = [
    ['list', '/picus/list', {}],
    ['get', '/picus/get/some-key', {}],
    [
      'put',
      '/picus/put',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
    ],
  ];

  test.each(protectedCalls)(
    '%s without a token: 401, a bare Bearer challenge, a request id',
    async (_op, path, init) => {
      const { call } = harness();
      const response = await call(path, { ...init, headers: { ...init.headers, authorization: '' } });
      const problem = await expectProblem(response, 401);
      expect(problem.type).toBe('urn:picus:problem:authentication-required');
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="picus"');
      expect(response.headers.get('x-request-id')).toBeTruthy();
    },
  );

  test.each(protectedCalls)(
    '%s with a bad token: 401 invalid_token with a short reason',
    async (_op, path, init) => {
      const { call } = harness();
      const expired = await tokens.issuer.token({ exp: Math.floor(Date.now() / 1000) - 3600 });
      const response = await call(path, {
        ...init,
        headers: { ...init.headers, authorization: `Bearer ${expired}` },
      });
      const problem = await expectProblem(response, 401);
      expect(problem.detail).toBe('The access token is not valid: expired.');
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="picus", error="invalid_token"');
    },
  );

  test('a token without the scope: 403 insufficient_scope naming it', async () => {
    const { put, call } = harness();
    const readOnly = `Bearer ${await tokens.issuer.token({ scope: 'picus/read' })}`;
    const response = await put({ a: 1 }, { authorization: readOnly });
    await expectProblem(response, 403);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="picus", error="insufficient_scope", scope="picus/write"',
    );
    expect((await call('/picus/list', { headers: { authorization: readOnly } })).status).toBe(200);
  });

  test('the token is checked before anything else: an unauthenticated bad request is 401, not 400', async () => {
    const { call } = harness();
    await expectProblem(await call('/picus/list?limit=nope', { headers: { authorization: '' } }), 401);
    await expectProblem(await call('/picus/get/%E0%A4%A', { headers: { authorization: '' } }), 401);
  });

  test('health, readiness and the docs stay public', async () => {
    const { call } = harness();
    for (const path of ['/health', '/ready', '/openapi.json', '/docs']) {
      expect((await call(path, { headers: { authorization: '' } })).status, path).toBe(200);
    }
  });

  test('log lines name the client and subject (for 2xx and 403), never the token', async () => {
    const { put, lines } = harness();
    await put({ a: 1 });
    await put({ a: 1 }, { authorization: `Bearer ${await tokens.issuer.token({ scope: 'picus/read' })}` });
    await put({ a: 1 }, { authorization: 'Bearer nonsense' });
    const entries = lines.map((line) => JSON.parse(line) as RequestLogEntry);
    expect(entries.map((e) => [e.status, e.client_id, e.sub])).toEqual([
      [201, 'client-1', 'client-1'],
      [403, 'client-1', 'client-1'],
      [401, undefined, undefined],
    ]);
    for (const line of lines) expect(line).not.toContain(tokens.token.split('.')[2] as string);
  });

  test('Idempotency-Keys belong to the caller; the item records who created it', async () => {
    const { put, call } = harness();
    const other = `Bearer ${await tokens.issuer.token({ sub: 'client-2', client_id: 'client-2' })}`;
    const mine = PutItemResponse.parse(await (await put({ a: 1 }, { 'idempotency-key': 'k-1' })).json());
    const theirs = await put({ a: 2 }, { 'idempotency-key': 'k-1', authorization: other });
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    const theirItem = PutItemResponse.parse(await theirs.json());
    expect(theirItem.object_id).not.toBe(mine.object_id);
    const replay = await put({ a: 1 }, { 'idempotency-key': 'k-1' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(PutItemResponse.parse(await replay.json()).object_id).toBe(mine.object_id);
    const item = Item.parse(await (await call(`/picus/get/${theirItem.object_id}`)).json());
    expect(item.created_by).toBe('client-2');
    const list = ListItemsResponse.parse(await (await call('/picus/list')).json());
    expect(list.items.map((i) => i.created_by).sort()).toEqual(['client-1', 'client-2']);
  });
});

describe('numbers are kept exactly', () => {
  const raw = (body: string) => body;

  test('what a double would round comes back with its exact decimal value', async () => {
    const { put, call } = harness();
    const body =
      '{"a":9007199254740993,"b":12345678901234567890123,"c":3.14159265358979323846264,"d":1.50,"e":-0,' +
      '"f":[0.1,1e21,123.456]}';
    const created = PutItemResponse.parse(await (await put(raw(body))).json());
    const text = await (await call(`/picus/get/${created.object_id}`)).text();
    expect(text).toContain(
      '"data":{"a":9007199254740993,"b":1.2345678901234567890123e+22,"c":3.14159265358979323846264,"d":1.5,"e":0,' +
        '"f":[0.1,1e+21,123.456]}',
    );
    const listed = await (await call('/picus/list')).text();
    expect(listed).toContain('"a":9007199254740993');
  });

  test.each([
    ['1e-400', 'at least 1e-130'],
    ['5e-324', 'at least 1e-130'],
    ['1e126', 'less than 1e126'],
    ['1.23456789012345678901234567890123456789', 'at most 38 significant digits'],
  ])('%s is refused with 422, never changed', async (number, reason) => {
    const { put, repository } = harness();
    const problem = await expectProblem(await put(raw(`{"n":${number}}`)), 422);
    expect(problem.detail).toContain(reason);
    expect(repository.size).toBe(0);
  });

  test('an Idempotency-Key compares the exact values: …993 then …992 is a conflict', async () => {
    const { put } = harness();
    const key = { 'idempotency-key': 'exact-1' };
    expect((await put(raw('{"n":9007199254740993}'), key)).status).toBe(201);
    const replay = await put(raw('{"n":9007199254740993.0}'), key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    await expectProblem(await put(raw('{"n":9007199254740992}'), key), 409);
  });
});
