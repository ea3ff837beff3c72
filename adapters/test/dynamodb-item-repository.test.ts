import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { StoreUnavailable } from '../../domain/errors.ts';
import { ItemService } from '../../domain/item-service.ts';
import { createDynamoClient } from '../dynamodb/dynamodb-client.ts';
import { DynamoItemRepository } from '../dynamodb/dynamodb-item-repository.ts';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../dynamodb/embedded/embedded-dynamodb.ts';
import { toAttributeMap } from '../dynamodb/json-attribute-value.ts';
import { ensureTable } from '../dynamodb/table.ts';
import { awkwardData, describeRepositoryContract } from './repository-contract.ts';

const TABLE = 'picus_data';
let engine: EmbeddedDynamo;
let client: DynamoDBClient;

const clientFor = (endpoint: string) =>
  createDynamoClient({
    region: 'us-east-1',
    endpoint,
    connectTimeoutMs: 500,
    requestTimeoutMs: 2000,
    maxAttempts: 2,
  });

beforeAll(async () => {
  engine = await startEmbeddedDynamo();
  client = clientFor(engine.endpoint);
  await ensureTable(client, TABLE);
});

afterAll(async () => {
  client?.destroy();
  await engine?.stop();
});

describeRepositoryContract('DynamoDB (embedded engine)', async () => new DynamoItemRepository(client, TABLE));

describe('DynamoDB adapter specifics', () => {
  test('ensureTable is idempotent', async () => {
    await ensureTable(client, TABLE);
  });

  test('our JSON mapping matches the SDK marshaller for data without escaped keys', () => {
    const { '~tilde': _escaped, ...data } = awkwardData();
    expect(toAttributeMap(data)).toEqual(marshall(data, { allowImpreciseNumbers: true }));
  });

  test('map keys that the SDK would drop or that look escaped are stored escaped', () => {
    const data = JSON.parse('{"__proto__": 1, "~a": {"~~b": 2}, "plain": 3}');
    expect(Object.keys(toAttributeMap(data))).toEqual(['~__proto__', '~~a', 'plain']);
  });

  test('a store that does not answer is StoreUnavailable, quickly, with no SDK text', async () => {
    const dead = clientFor('http://127.0.0.1:9');
    const repo = new DynamoItemRepository(dead, TABLE);
    const started = performance.now();
    const failure = await repo.get('x').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailable);
    expect((failure as Error).message).toBe('The item store is temporarily unavailable.');
    expect(performance.now() - started).toBeLessThan(5000);
    await expect(repo.ping()).rejects.toBeInstanceOf(StoreUnavailable);
    dead.destroy();
  });

  test('a missing table makes ping fail as StoreUnavailable', async () => {
    await expect(new DynamoItemRepository(client, 'no_such_table').ping()).rejects.toBeInstanceOf(
      StoreUnavailable,
    );
  });
});

/**
 * A write whose attempt outlives the client's budget can still land; the SDK then retries it.
 * This client lets the first attempt of each call reach the engine and be applied, then fails
 * it as the request timeout does, so the SDK's retry meets the outcome of the first attempt.
 */
function clientWhoseFirstAttemptsLandThenTimeOut(): DynamoDBClient {
  const flaky = clientFor(engine.endpoint);
  const seen = new WeakSet<object>();
  flaky.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (!seen.has(context)) {
        seen.add(context);
        throw Object.assign(new Error('Request timed out'), { name: 'TimeoutError' });
      }
      return result;
    },
    { step: 'deserialize', name: 'firstAttemptLandsThenTimesOut' },
  );
  return flaky;
}

describe('writes the SDK retries after an attempt that landed', () => {
  test('a put stores one item and reports it created; a delete reports what it deleted', async () => {
    const flaky = clientWhoseFirstAttemptsLandThenTimeOut();
    try {
      const repo = new DynamoItemRepository(flaky, TABLE);
      const reader = new DynamoItemRepository(client, TABLE);
      const service = new ItemService(repo);
      const before = await countItems(reader);
      const { item, replayed } = await service.put({ retried: true });
      expect(replayed).toBe(false);
      // Exactly one new item, the one the client was told about.
      expect(await countItems(reader)).toBe(before + 1);
      expect(await reader.get(item.object_id)).toBeDefined();
      const keyed = await service.put(
        { retried: 'with a key' },
        { idempotencyKey: `retry-${item.object_id}` },
      );
      expect(keyed.replayed).toBe(false);
      await service.delete(item.object_id);
      await service.delete(keyed.item.object_id);
      expect(await reader.get(item.object_id)).toBeUndefined();
      expect(await countItems(reader)).toBe(before);
    } finally {
      flaky.destroy();
    }
  });

  test('without a retry, an equal item under a taken id is another request: a replay', async () => {
    // Same clock, same key, same body: the second put builds the very item the first stored.
    const now = () => new Date('2026-01-02T03:04:05.678Z');
    const service = new ItemService(new DynamoItemRepository(client, TABLE), { now });
    const key = `same-millisecond-${crypto.randomUUID()}`;
    const first = await service.put({ a: 1 }, { idempotencyKey: key });
    expect(await service.put({ a: 1 }, { idempotencyKey: key })).toEqual({
      item: first.item,
      replayed: true,
    });
    await service.delete(first.item.object_id);
  });
});

async function countItems(repo: DynamoItemRepository): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await repo.scan(1000, cursor);
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return count;
}
