import { afterAll, describe, expect, test } from 'bun:test';
import { createDynamoClient } from '../../adapters/dynamodb/dynamodb-client.ts';
import { DynamoItemRepository } from '../../adapters/dynamodb/dynamodb-item-repository.ts';
import { ItemService } from '../../domain/item-service.ts';
import { createApp } from '../../entrypoints/http/app.ts';
import { withEnvelope } from '../../entrypoints/http/envelope.ts';
import { createLogger } from '../../entrypoints/shared/access-log.ts';
import { createAuthorizer } from '../../entrypoints/shared/auth/authorizer.ts';
import { type OperationName, operations, type ResponseSpec } from '../operations.ts';

// The contract suite (e2e/) cannot take a deployment's store down, so the 503 of each
// operation that reads or writes the store is checked here, against the contract,
// with a DynamoDB endpoint nothing listens on.
const client = createDynamoClient({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  connectTimeoutMs: 300,
  requestTimeoutMs: 300,
  maxAttempts: 1,
});
afterAll(() => client.destroy());

const handle = withEnvelope(
  (request) =>
    createApp({
      service: new ItemService(new DynamoItemRepository(client, 'picus_data')),
      auth: createAuthorizer({ mode: 'none' }),
    }).handle(request),
  createLogger('silent'),
);

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
      const response = await handle(new Request(`http://picus.test${path}`, init));
      expect(response.status).toBe(503);
      const spec = (operations[name].responses as Record<number, ResponseSpec>)[503];
      if (!spec) throw new Error(`${name} documents no 503`);
      await expectContract(response, spec);
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  }
});
