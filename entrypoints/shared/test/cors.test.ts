import { describe, expect, test } from 'bun:test';
import type { ALBEvent } from 'aws-lambda';
import { MemoryItemRepository } from '../../../adapters/memory/memory-item-repository.ts';
import { Problem } from '../../../contracts/problem.ts';
import { PROBLEM_CONTENT_TYPE } from '../../../contracts/problem-kinds.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { createApp } from '../../http/app.ts';
import { withEnvelope } from '../../http/envelope.ts';
import { createDeleteHandler } from '../../lambda/delete-handler.ts';
import { createAuthorizer } from '../auth/authorizer.ts';
import { loadConfig } from '../config.ts';
import { CORS_EXPOSED_HEADERS, type CorsPolicy, parseCorsOrigins } from '../cors.ts';
import { createLogger } from '../logger.ts';

const APP = 'https://app.example.com';
const OTHER = 'https://evil.example.net';

describe('CORS_ALLOWED_ORIGINS', () => {
  test('unset or empty is no policy; `*` is any origin; a list is exact origins', () => {
    expect(parseCorsOrigins(undefined)).toBeUndefined();
    expect(parseCorsOrigins(' , ')).toBeUndefined();
    expect(parseCorsOrigins('*')).toEqual({ origins: '*' });
    expect(parseCorsOrigins(`${APP}, http://localhost:5173`)).toEqual({
      origins: new Set([APP, 'http://localhost:5173']),
    });
  });

  test.each([
    ['https://app.example.com/', 'trailing slash'],
    ['https://app.example.com/path', 'a path'],
    ['app.example.com', 'no scheme'],
    ['ftp://app.example.com', 'not http(s)'],
    ['*, https://app.example.com', '`*` beside others'],
  ])('%s (%s) stops the process with a message naming it', (value) => {
    expect(() => loadConfig({ CORS_ALLOWED_ORIGINS: value })).toThrow(/CORS_ALLOWED_ORIGINS: /);
  });
});

function container(cors: CorsPolicy | undefined) {
  const app = createApp({
    service: new ItemService(new MemoryItemRepository()),
    auth: createAuthorizer({ mode: 'none' }),
  });
  const handle = withEnvelope(app.handle, createLogger('silent'), { cors });
  return (path: string, init: RequestInit = {}) => handle(new Request(`http://picus.test${path}`, init));
}

const preflightFrom = (origin: string, method = 'POST') => ({
  method: 'OPTIONS',
  headers: {
    origin,
    'access-control-request-method': method,
    'access-control-request-headers': 'authorization, content-type, idempotency-key',
  },
});

describe('the container with a policy', () => {
  const call = container(parseCorsOrigins(APP));

  test('answers a preflight from an allowed origin: 204, the path’s methods, the API’s headers', async () => {
    const response = await call('/picus/put', preflightFrom(APP));
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP);
    // An item may be named "put": DELETE /picus/put deletes it.
    expect(response.headers.get('access-control-allow-methods')).toBe('POST, DELETE');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'authorization, content-type, idempotency-key, x-request-id',
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('vary')).toBe('origin');
    expect(response.headers.get('x-request-id')).toBeTruthy();
    // DELETE's preflight comes here too (the ALB sends every OPTIONS to the container).
    const forDelete = await call('/picus/some-key', preflightFrom(APP, 'DELETE'));
    expect(forDelete.status).toBe(204);
    expect(forDelete.headers.get('access-control-allow-methods')).toBe('DELETE');
  });

  test('refuses a preflight from another origin: 403 problem+json without Access-Control-Allow-Origin', async () => {
    const response = await call('/picus/put', preflightFrom(OTHER));
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(Problem.parse(await response.json()).detail).toBe(
      `Origin ${OTHER} is not allowed to call this API.`,
    );
  });

  test('a preflight to no resource is 404; an OPTIONS that is not a preflight is 405 as ever', async () => {
    expect((await call('/nowhere', preflightFrom(APP))).status).toBe(404);
    const plain = await call('/picus/put', { method: 'OPTIONS' });
    expect(plain.status).toBe(405);
  });

  test('responses to an allowed origin, errors included, carry the origin and expose the API’s headers', async () => {
    for (const [path, status] of [
      ['/health', 200],
      ['/picus/get/absent', 404],
    ] as const) {
      const response = await call(path, { headers: { origin: APP } });
      expect(response.status).toBe(status);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP);
      expect(response.headers.get('access-control-expose-headers')).toBe(CORS_EXPOSED_HEADERS.join(', '));
    }
    const foreign = await call('/health', { headers: { origin: OTHER } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('vary')).toBe('origin');
  });
});

describe('without a policy nothing changes', () => {
  test('a preflight is 405 and no response has Access-Control-*', async () => {
    const call = container(undefined);
    const response = await call('/picus/put', preflightFrom(APP));
    expect(response.status).toBe(405);
    const health = await call('/health', { headers: { origin: APP } });
    expect([...health.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    expect(health.headers.get('vary')).toBeNull();
  });
});

describe('the Lambda with a policy', () => {
  test('DELETE answers an allowed origin with the same headers as the container', async () => {
    const repository = new MemoryItemRepository();
    await repository.create({
      object_id: 'k',
      data: {},
      created_at: new Date().toISOString(),
      created_by: null,
    });
    const handler = createDeleteHandler(
      new ItemService(repository),
      createLogger('silent'),
      createAuthorizer({ mode: 'none' }),
      parseCorsOrigins(APP),
    );
    const event = (origin: string): ALBEvent => ({
      requestContext: { elb: { targetGroupArn: 'arn' } },
      httpMethod: 'DELETE',
      path: '/picus/k',
      queryStringParameters: {},
      headers: { origin },
      body: '',
      isBase64Encoded: false,
    });
    const allowed = await handler(event(APP));
    expect(allowed.statusCode).toBe(200);
    expect(allowed.headers?.['access-control-allow-origin']).toBe(APP);
    expect(allowed.headers?.['access-control-expose-headers']).toBe(CORS_EXPOSED_HEADERS.join(', '));
    const foreign = await handler(event(OTHER));
    expect(foreign.headers?.['access-control-allow-origin']).toBeUndefined();
  });
});
