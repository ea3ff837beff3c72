import { describe, expect, test } from 'bun:test';
import type { ALBEvent, ALBResult } from 'aws-lambda';
import { MemoryItemRepository } from '../../../adapters/memory/memory-item-repository.ts';
import { DeleteItemResponse } from '../../../contracts/item.ts';
import { Problem } from '../../../contracts/problem.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { createLogger } from '../../shared/access-log.ts';
import { createDeleteHandler } from '../delete-handler.ts';

function harness() {
  const repository = new MemoryItemRepository();
  const handler = createDeleteHandler(new ItemService(repository), createLogger('silent'));
  const seed = (id: string) =>
    repository.create({ object_id: id, data: { id }, created_at: new Date().toISOString() });
  return { repository, handler, seed };
}

const event = (overrides: Partial<ALBEvent> = {}): ALBEvent => ({
  requestContext: {
    elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1' },
  },
  httpMethod: 'DELETE',
  path: '/picus/abc',
  queryStringParameters: {},
  headers: { host: 'api.example.com', 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793' },
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
      multiValueHeaders: { 'X-Request-Id': ['first', 'mine-1'] },
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

  test('works without headers at all', async () => {
    const { headers: _unused, ...bare } = event();
    const result = await harness().handler(bare as ALBEvent);
    expect(result.statusCode).toBe(404);
    expect(expectWellFormed(result)['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
