import { describe, expect, test } from 'bun:test';
import { MemoryItemRepository } from '../../adapters/memory/memory-item-repository.ts';
import {
  IdempotencyConflict,
  InvalidIdempotencyKey,
  InvalidItem,
  InvalidKey,
  InvalidPageRequest,
  ItemNotFound,
} from '../errors.ts';
import { objectIdForIdempotencyKey, sameJson } from '../idempotency.ts';
import { MAX_DATA_DEPTH } from '../item-rules.ts';
import { ItemService } from '../item-service.ts';

const fixedNow = () => new Date('2026-01-02T03:04:05.678Z');
const newService = () => new ItemService(new MemoryItemRepository(), { now: fixedNow });

const nested = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) value = { d: value };
  return value;
};

describe('ItemService.put', () => {
  test('stores the data under a new UUID with an RFC 3339 UTC timestamp', async () => {
    const service = newService();
    const { item, replayed } = await service.put({ a: 1 });
    expect(replayed).toBe(false);
    expect(item.object_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(item.created_at).toBe('2026-01-02T03:04:05.678Z');
    expect(await service.get(item.object_id)).toEqual(item);
  });

  test.each([[[]], [null], ['text'], [42], [true]])('rejects a non-object body %p', async (body) => {
    await expect(newService().put(body)).rejects.toBeInstanceOf(InvalidItem);
  });

  test(`accepts ${MAX_DATA_DEPTH} levels of nesting and rejects ${MAX_DATA_DEPTH + 1}`, async () => {
    const service = newService();
    await service.put(nested(MAX_DATA_DEPTH));
    await expect(service.put(nested(MAX_DATA_DEPTH + 1))).rejects.toBeInstanceOf(InvalidItem);
    await expect(service.put({ list: [[[[nested(MAX_DATA_DEPTH - 4)]]]] })).rejects.toBeInstanceOf(
      InvalidItem,
    );
  });

  test('rejects what DynamoDB cannot store exactly', async () => {
    const service = newService();
    for (const bad of [
      { n: 1e126 },
      { n: -1e200 },
      { n: 1e-131 },
      { '': 1 },
      { s: '\ud800' },
      { '\udc00': 1 },
    ]) {
      await expect(service.put(bad)).rejects.toBeInstanceOf(InvalidItem);
    }
    await service.put({ n: 9.99e125, m: -1e-130, z: 0 });
  });

  test('an Idempotency-Key replays the first item and creates nothing new', async () => {
    const repo = new MemoryItemRepository();
    const service = new ItemService(repo);
    const first = await service.put({ a: 1, b: [1, 2] }, { idempotencyKey: 'order-17' });
    const again = await service.put({ b: [1, 2], a: 1 }, { idempotencyKey: 'order-17' });
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ item: first.item, replayed: true });
    expect(first.item.object_id).toBe(objectIdForIdempotencyKey('order-17'));
    expect(repo.size).toBe(1);
  });

  test('Idempotency-Keys belong to their caller: equal keys of two callers are two items', async () => {
    const repo = new MemoryItemRepository();
    const service = new ItemService(repo);
    const alice = await service.put({ a: 1 }, { idempotencyKey: 'order-17', createdBy: 'alice' });
    const bob = await service.put({ a: 2 }, { idempotencyKey: 'order-17', createdBy: 'bob' });
    expect(alice.item.object_id).not.toBe(bob.item.object_id);
    expect([alice.replayed, bob.replayed]).toEqual([false, false]);
    expect(alice.item.created_by).toBe('alice');
    expect(bob.item.created_by).toBe('bob');
    const aliceAgain = await service.put({ a: 1 }, { idempotencyKey: 'order-17', createdBy: 'alice' });
    expect(aliceAgain).toEqual({ item: alice.item, replayed: true });
    expect(alice.item.object_id).toBe(objectIdForIdempotencyKey('order-17', 'alice'));
    // No pair of (caller, key) can spell another's name.
    expect(objectIdForIdempotencyKey('b\nc', 'a')).not.toBe(objectIdForIdempotencyKey('c', 'a\nb'));
    expect(repo.size).toBe(2);
  });

  test('an item records who created it; anonymous puts record null', async () => {
    const service = newService();
    expect((await service.put({ a: 1 }, { createdBy: 'client-7' })).item.created_by).toBe('client-7');
    expect((await service.put({ a: 1 })).item.created_by).toBeNull();
  });

  test('racing puts with one Idempotency-Key create exactly one item', async () => {
    const repo = new MemoryItemRepository();
    const service = new ItemService(repo);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => service.put({ x: 1 }, { idempotencyKey: 'race' })),
    );
    expect(new Set(results.map((r) => r.item.object_id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(repo.size).toBe(1);
  });

  test('the same Idempotency-Key with another body is a conflict', async () => {
    const service = newService();
    await service.put({ a: 1 }, { idempotencyKey: 'k1' });
    await expect(service.put({ a: 2 }, { idempotencyKey: 'k1' })).rejects.toBeInstanceOf(IdempotencyConflict);
  });

  test.each([[''], ['has space'], ['x'.repeat(256)], ['ünïcode']])(
    'rejects Idempotency-Key %p',
    async (key) => {
      await expect(newService().put({}, { idempotencyKey: key })).rejects.toBeInstanceOf(
        InvalidIdempotencyKey,
      );
    },
  );
});

describe('ItemService.get and delete', () => {
  test('absent items are ItemNotFound', async () => {
    const service = newService();
    await expect(service.get('nope')).rejects.toBeInstanceOf(ItemNotFound);
    await expect(service.delete('nope')).rejects.toBeInstanceOf(ItemNotFound);
  });

  test('keys must be 1..1024 bytes of UTF-8', async () => {
    const service = newService();
    await expect(service.get('')).rejects.toBeInstanceOf(InvalidKey);
    await expect(service.get('a'.repeat(1025))).rejects.toBeInstanceOf(InvalidKey);
    await expect(service.get('é'.repeat(513))).rejects.toBeInstanceOf(InvalidKey);
    await expect(service.get('é'.repeat(512))).rejects.toBeInstanceOf(ItemNotFound);
    await expect(service.delete('a'.repeat(1025))).rejects.toBeInstanceOf(InvalidKey);
  });

  test('delete succeeds once, then the item is not found', async () => {
    const service = newService();
    const { item } = await service.put({ a: 1 });
    await service.delete(item.object_id);
    await expect(service.delete(item.object_id)).rejects.toBeInstanceOf(ItemNotFound);
  });
});

describe('ItemService.list', () => {
  test('page size must be 1..1000', async () => {
    const service = newService();
    for (const bad of [0, 1001, 1.5, Number.NaN]) {
      await expect(service.list(bad)).rejects.toBeInstanceOf(InvalidPageRequest);
    }
  });

  test('pages through everything with the default size of 100', async () => {
    const service = newService();
    for (let i = 0; i < 150; i++) await service.put({ i });
    const first = await service.list();
    expect(first.items).toHaveLength(100);
    const second = await service.list(100, first.nextCursor);
    expect(second.items).toHaveLength(50);
    expect(second.nextCursor).toBeUndefined();
  });
});

describe('sameJson', () => {
  test('ignores key order, not values', () => {
    expect(sameJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: null }, {})).toBe(false);
    expect(sameJson({ a: 1 }, { a: '1' })).toBe(false);
  });
});
