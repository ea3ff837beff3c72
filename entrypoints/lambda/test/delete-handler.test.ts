import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { ALBEvent, ALBResult } from 'aws-lambda';
import { MemoryItemRepository } from '../../../adapters/memory/memory-item-repository.ts';
import { DeleteItemResponse } from '../../../contracts/item.ts';
import { Problem } from '../../../contracts/problem.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { createAuthorizer } from '../../shared/auth/authorizer.ts';
import { startTestIssuer, type TestIssuer } from '../../shared/auth/test/test-issuer.ts';
import { createLogger, type RequestLogEntry } from '../../shared/logger.ts';
import { createDeleteHandler } from '../delete-handler.ts';

let issuer: TestIssuer;
/** A token with every scope, in every event `event()` builds. */
let token: string;
beforeAll(async () => {
  issuer = await startTestIssuer();
  token = await issuer.token();
});
afterAll(() => issuer.stop());

function harness() {
  const repository = new MemoryItemRepository();
  const lines: string[] = [];
  const handler = createDeleteHandler(
    new ItemService(repository),
    createLogger('info', (line) => lines.push(line)),
    createAuthorizer(issuer.settings),
  );
  const seed = (id: string) =>
    repository.create({
      object_id: id,
      data: { id },
      created_at: new Date().toISOString(),
      created_by: null,
    });
  return { repository, handler, seed, lines };
}

const event = (overrides: Partial<ALBEvent> = {}): ALBEvent => ({
  requestContext: {
    elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1' },
  },
  httpMethod: 'DELETE',
  path: '/picus/abc',
  queryStringParameters: {},
  headers: {
    host: 'api.example.com',
    'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793',
    authorization: `Bearer ${token}`,
  },
  body: '',
  isBase64Encoded: false,
  ...overrides,
});

function expectWellFormed(result: ALBResult): Record<string, string> {
  expect(result.isBase64Encoded).toBe(false);
  expect(result.statusDescription).toMatch(new RegExp(`^${result.statusCode} [A-Z]`));
  const headers = (result.headers ?? {}) as Record<string, unknown>;
  for (const value of Object.values(headers)) expect(typeof value).toBe('string');
  return headers as Record<string, string>;
}

describe('ALB DELETE handler', () => {
  test('deletes an existing item: 200, "200 OK", string headers', async () => {
    const { handler, seed, repository } = harness();
    await seed('abc');
    const result = await handler(event());
    const headers = expectWellFormed(result);
    expect(result.statusCode).toBe(200);
    expect(result.statusDescription).toBe('200 OK');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-request-id']).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(DeleteItemResponse.parse(JSON.parse(result.body ?? ''))).toEqual({
      object_id: 'abc',
      deleted: true,
    });
    expect(await repository.get('abc')).toBeUndefined();
  });

  test('absent item: 404 "404 Not Found" problem+json', async () => {
    const result = await harness().handler(event());
    const headers = expectWellFormed(result);
    expect(result.statusDescription).toBe('404 Not Found');
    expect(headers['content-type']).toBe('application/problem+json');
    expect(Problem.parse(JSON.parse(result.body ?? '')).status).toBe(404);
  });

  test('percent-encoded keys are decoded; bad encoding and empty keys are 400', async () => {
    const { handler, seed } = harness();
    await seed('a/b c✓');
    expect((await handler(event({ path: `/picus/${encodeURIComponent('a/b c✓')}` }))).statusCode).toBe(200);
    expect((await handler(event({ path: '/picus/%E0%A4%A' }))).statusCode).toBe(400);
    expect((await handler(event({ path: '/picus/' }))).statusCode).toBe(400);
    expect((await handler(event({ path: `/picus/${'k'.repeat(1025)}` }))).statusCode).toBe(400);
  });

  test('answers multiValueHeaders when the event used them', async () => {
    const { handler, seed } = harness();
    await seed('abc');
    const { headers: _unused, ...rest } = event();
    const result = await handler({
      ...rest,
      multiValueHeaders: { 'X-Request-Id': ['first', 'mine-1'], Authorization: [`Bearer ${token}`] },
      multiValueQueryStringParameters: {},
    });
    expect(result.statusCode).toBe(200);
    expect(result.headers).toBeUndefined();
    expect(result.multiValueHeaders?.['x-request-id']).toEqual(['mine-1']);
    for (const values of Object.values(result.multiValueHeaders ?? {})) {
      for (const value of values) expect(typeof value).toBe('string');
    }
  });

  test('other methods are 405 with Allow; unknown paths 404', async () => {
    const { handler } = harness();
    const get = await handler(event({ httpMethod: 'GET', path: '/picus/abc' }));
    expect(get.statusCode).toBe(405);
    expect(expectWellFormed(get).allow).toBe('DELETE');
    const deleteList = await handler(event({ httpMethod: 'POST', path: '/picus/get/x' }));
    expect(deleteList.statusCode).toBe(405);
    expect((await handler(event({ path: '/elsewhere' }))).statusCode).toBe(404);
    expect((await handler(event({ path: '/picus/a/b' }))).statusCode).toBe(404);
  });

  test('a key is one path segment: a trailing slash is 404 and deletes nothing', async () => {
    const { handler, seed, repository } = harness();
    await seed('abc');
    const trailing = await handler(event({ path: '/picus/abc/' }));
    expect(trailing.statusCode).toBe(404);
    expect(await repository.get('abc')).toBeDefined();
  });

  test('an ALB health-check event is answered 200 like the container’s /health', async () => {
    const result = await harness().handler(
      event({ httpMethod: 'GET', path: '/health', headers: { 'user-agent': 'ELB-HealthChecker/2.0' } }),
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toEqual({ status: 'ok' });
  });

  test('base64 bodies and query strings are ignored by DELETE', async () => {
    const { handler, seed } = harness();
    await seed('abc');
    const result = await handler(
      event({
        body: Buffer.from('{"x":1}').toString('base64'),
        isBase64Encoded: true,
        queryStringParameters: { a: '%20' },
      }),
    );
    expect(result.statusCode).toBe(200);
  });

  test('works without headers at all (and then there is no token: 401)', async () => {
    const { headers: _unused, ...bare } = event();
    const result = await harness().handler(bare as ALBEvent);
    expect(result.statusCode).toBe(401);
    expect(expectWellFormed(result)['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('the DELETE handler checks tokens as the container does', () => {
  const withAuthorization = (authorization: string | undefined) => {
    const { authorization: _token, ...headers } = event().headers as Record<string, string>;
    return event({ headers: authorization === undefined ? headers : { ...headers, authorization } });
  };

  test('no token: 401 "401 Unauthorized" with a bare Bearer challenge; nothing is deleted', async () => {
    const { handler, seed, repository } = harness();
    await seed('abc');
    const result = await handler(withAuthorization(undefined));
    const headers = expectWellFormed(result);
    expect(result.statusDescription).toBe('401 Unauthorized');
    expect(headers['www-authenticate']).toBe('Bearer realm="picus"');
    expect(Problem.parse(JSON.parse(result.body ?? '')).type).toBe(
      'urn:picus:problem:authentication-required',
    );
    expect(await repository.get('abc')).toBeDefined();
  });

  test('a bad or expired token: 401 invalid_token; one without picus/delete: 403 naming it', async () => {
    const { handler, seed, repository, lines } = harness();
    await seed('abc');
    const expired = await issuer.token({ exp: Math.floor(Date.now() / 1000) - 3600 });
    const bad = await handler(withAuthorization(`Bearer ${expired}`));
    expect(bad.statusCode).toBe(401);
    expect(expectWellFormed(bad)['www-authenticate']).toBe('Bearer realm="picus", error="invalid_token"');
    const readWrite = await issuer.token({ scope: 'picus/read picus/write' });
    const forbidden = await handler(withAuthorization(`Bearer ${readWrite}`));
    expect(forbidden.statusDescription).toBe('403 Forbidden');
    expect(expectWellFormed(forbidden)['www-authenticate']).toBe(
      'Bearer realm="picus", error="insufficient_scope", scope="picus/delete"',
    );
    expect(await repository.get('abc')).toBeDefined();
    const entries = lines.map((line) => JSON.parse(line) as RequestLogEntry);
    expect(entries.map((e) => [e.status, e.client_id, e.sub])).toEqual([
      [401, 'client-1', 'client-1'],
      [403, 'client-1', 'client-1'],
    ]);
    for (const line of lines) expect(line).not.toContain(readWrite.split('.')[2] as string);
  });

  test('routing comes first: a wrong method is 405 and an unknown path 404, token or not', async () => {
    const { handler } = harness();
    const { headers } = withAuthorization(undefined);
    expect((await handler(event({ httpMethod: 'GET', headers }))).statusCode).toBe(405);
    expect((await handler(event({ path: '/elsewhere', headers }))).statusCode).toBe(404);
  });

  test('the token is checked before the key: a badly encoded key without a token is 401', async () => {
    const { headers } = withAuthorization(undefined);
    expect((await harness().handler(event({ path: '/picus/%E0%A4%A', headers }))).statusCode).toBe(401);
  });
});
