import { afterAll, describe, expect, test } from 'bun:test';
import { createDynamoClient } from '../../../adapters/dynamodb/dynamodb-client.ts';
import { DynamoItemRepository } from '../../../adapters/dynamodb/dynamodb-item-repository.ts';
import { type OperationName, operations, type ResponseSpec } from '../../../contracts/operations.ts';
import { Problem } from '../../../contracts/problem.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { createAuthorizer } from '../../shared/auth/authorizer.ts';
import { createLogger } from '../../shared/logger.ts';
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
  createApp({
    service: new ItemService(new DynamoItemRepository(client, 'picus_data')),
    auth: createAuthorizer({ mode: 'none' }),
  }).handle,
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

// The contract suite (e2e/) cannot take a deployment's store down, so the 503 of each
// operation that reads or writes the store is checked here, against the contract.
async function expectContract(response: Response, spec: ResponseSpec): Promise<void> {
  expect(response.headers.get('content-type')).toBe(spec.contentType);
  for (const [name, header] of Object.entries(spec.headers)) {
    const value = response.headers.get(name);
    if (header.required) expect(value, name).not.toBeNull();
    if (value !== null) expect(header.schema.safeParse(value).success, `${name}: ${value}`).toBe(true);
  }
  const body = (await response.json()) as { type: string };
  expect(spec.schema.safeParse(body).success).toBe(true);
  const documented = Object.values(spec.examples).map((e) => (e.value as { type: string }).type);
  expect(documented).toContain(body.type);
}

const requests: Array<[OperationName, string, RequestInit?]> = [
  ['ready', '/ready'],
  ['listItems', '/picus/list?limit=5'],
  ['getItem', '/picus/get/some-key'],
  [
    'putItem',
    '/picus/put',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' },
  ],
];

describe('with the store down, every store operation answers its documented 503', () => {
  for (const [name, path, init] of requests) {
    test(`${operations[name].method} ${operations[name].path}`, async () => {
      const response = await call(path, init);
      expect(response.status).toBe(503);
      const spec = (operations[name].responses as Record<number, ResponseSpec>)[503];
      if (!spec) throw new Error(`${name} documents no 503`);
      await expectContract(response, spec);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  }
});
