import { afterAll, describe, expect, test } from 'bun:test';
import { createDynamoClient } from '../../../adapters/dynamodb/dynamodb-client.ts';
import { DynamoItemRepository } from '../../../adapters/dynamodb/dynamodb-item-repository.ts';
import { Problem } from '../../../contracts/problem.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { createLogger } from '../../shared/access-log.ts';
import { createAuthorizer } from '../../shared/auth/authorizer.ts';
import { createApp } from '../app.ts';
import { withEnvelope } from '../envelope.ts';

// Nothing listens on the discard port: every DynamoDB call fails to connect.
const client = createDynamoClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  connectTimeoutMs: 300,
  requestTimeoutMs: 300,
  maxAttempts: 2,
});
afterAll(() => client.destroy());

const logs: string[] = [];
const handle = withEnvelope(
  (request) =>
    createApp({
      service: new ItemService(new DynamoItemRepository(client, 'picus_data')),
      auth: createAuthorizer({ mode: 'none' }),
    }).handle(request),
  createLogger('info', (line) => logs.push(line)),
);
const call = (path: string, init?: RequestInit) => handle(new Request(`http://picus.test${path}`, init));

describe('DynamoDB unavailable', () => {
  test('reads and writes fail fast with 503, Retry-After and no driver text', async () => {
    const started = performance.now();
    const responses = [
      await call('/picus/get/x'),
      await call('/picus/list'),
      await call('/picus/put', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    ];
    for (const response of responses) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const text = await response.text();
      Problem.parse(JSON.parse(text));
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|Error:|at |dynamodb/i);
    }
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test('/ready is 503 while /health stays 200', async () => {
    expect((await call('/ready')).status).toBe(503);
    expect((await call('/health')).status).toBe(200);
  });

  test('the cause is logged at error level for operators', () => {
    const errors = logs.map((line) => JSON.parse(line)).filter((entry) => entry.status === 503);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ level: 'error' });
    expect(errors[0].error).toContain('StoreUnavailable');
  });
});
