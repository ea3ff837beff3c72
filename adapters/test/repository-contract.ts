import { describe, expect, test } from 'bun:test';
import { InvalidPageRequest } from '../../domain/errors.ts';
import { parseExactJson } from '../../domain/exact-number.ts';
import { sameJson } from '../../domain/idempotency.ts';
import type { Item, JsonObject, JsonValue } from '../../domain/item.ts';
import type { ItemRepository } from '../../domain/item-repository.ts';
import { storableData } from '../../domain/item-rules.ts';

let counter = 0;
const uniqueId = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** An item as the domain hands it to a store: its data in storable form (exact numbers). */
const itemWith = (data: JsonObject, id = uniqueId('item'), createdBy: string | null = 'client-1'): Item => ({
  object_id: id,
  data: storableData(data),
  created_at: new Date().toISOString(),
  created_by: createdBy,
});

/** Data that must come back exactly: every JSON type, awkward keys and numbers. */
export const awkwardData = (): JsonObject =>
  JSON.parse(
    JSON.stringify({
      text: 'héllo ✓ 𝄞',
      empty: '',
      int: 42,
      negative: -7,
      float: 0.30000000000000004,
      big: 1e21,
      tiny: 1.5e-100,
      huge: 9.99e125,
      maxSafe: Number.MAX_SAFE_INTEGER,
      yes: true,
      no: false,
      nothing: null,
      list: [1, 'two', null, [3, { four: 4 }], {}],
      nested: { a: { b: { c: { d: [] } } } },
      $dollar: 1,
      '#hash': 2,
      ':colon': 3,
      'attribute_not_exists(object_id)': 'x',
      'with.dot': 'y',
      'with space': 'z',
      '~tilde': { '~~twice': '~' },
    }),
  );

/**
 * One behavioural suite every ItemRepository must pass, so the in-memory store
 * used in unit tests cannot drift from the DynamoDB adapter used in production.
 */
export function describeRepositoryContract(name: string, makeRepository: () => Promise<ItemRepository>) {
  describe(`ItemRepository contract: ${name}`, () => {
    test('create then get returns the same item', async () => {
      const repo = await makeRepository();
      const item = itemWith({ hello: 'world' });
      expect(await repo.create(item)).toEqual({ created: true });
      expect(await repo.get(item.object_id)).toEqual(item);
    });

    test('the creator round-trips, and an anonymous item reads back with created_by null', async () => {
      const repo = await makeRepository();
      const owned = itemWith({ a: 1 }, uniqueId('owned'), 'client-ä 7');
      const anonymous = itemWith({ a: 1 }, uniqueId('anonymous'), null);
      await repo.create(owned);
      await repo.create(anonymous);
      expect((await repo.get(owned.object_id))?.created_by).toBe('client-ä 7');
      expect(await repo.get(anonymous.object_id)).toEqual(anonymous);
      const all: Item[] = [];
      let cursor: string | undefined;
      do {
        const page = await repo.scan(1000, cursor);
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      const scanned = all.filter((i) => [owned.object_id, anonymous.object_id].includes(i.object_id));
      expect(scanned.map((i) => i.created_by).sort()).toEqual(['client-ä 7', null].sort());
    });

    test('data round-trips exactly, including awkward keys and numbers', async () => {
      const repo = await makeRepository();
      const item = itemWith(awkwardData());
      await repo.create(item);
      const stored = await repo.get(item.object_id);
      expect(stored).toEqual(item);
      expect(JSON.stringify(stored?.data)).toBe(JSON.stringify(item.data));
    });

    test('numbers come back with their exact decimal value, in the canonical form', async () => {
      const repo = await makeRepository();
      const data = parseExactJson(
        '{"beyond_double":9007199254740993,"digits38":1.2345678901234567890123456789012345678,' +
          '"big":12345678901234567890123,"pi":3.1415926535897932384626433832795028841,' +
          '"trailing":1.50,"negative_zero":-0,"max":9.9999999999999999999999999999999999999e125,' +
          '"min":1e-130,"plain":[1,2.5,-3,1e21,1e-7]}',
      ) as JsonObject;
      const item = itemWith(data);
      await repo.create(item);
      const stored = await repo.get(item.object_id);
      expect(JSON.stringify(stored?.data)).toBe(
        '{"beyond_double":9007199254740993,"digits38":1.2345678901234567890123456789012345678,' +
          '"big":1.2345678901234567890123e+22,"pi":3.1415926535897932384626433832795028841,' +
          '"trailing":1.5,"negative_zero":0,"max":9.9999999999999999999999999999999999999e+125,' +
          '"min":1e-130,"plain":[1,2.5,-3,1e+21,1e-7]}',
      );
      // Equal values; a number may be carried as a double or as its text (see numberValue).
      expect(sameJson(stored?.data as JsonObject, item.data)).toBe(true);
    });

    test('a __proto__ key is stored as data and never changes prototypes', async () => {
      const repo = await makeRepository();
      const data = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}');
      const item = itemWith(data);
      await repo.create(item);
      const stored = await repo.get(item.object_id);
      expect(Object.getPrototypeOf(stored?.data)).toBe(Object.prototype);
      expect(Object.keys(stored?.data ?? {}).sort()).toEqual(['__proto__', 'constructor']);
      expect(JSON.stringify(stored?.data)).toBe(JSON.stringify(data));
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    test('what a caller changes afterwards, in what it stored or read, never reaches the store', async () => {
      const repo = await makeRepository();
      const item = itemWith({ list: [1, { deep: 'x' }], nested: { n: 1 } });
      // Through JSON text: structuredClone cannot copy exact numbers (JSON.rawJSON objects).
      const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));
      const expected = asJson(item);
      await repo.create(item);
      (item.data.list as JsonValue[]).push('added after create');
      const read = await repo.get(item.object_id);
      // A store may hand out frozen items: then writing throws, which is as good.
      const tamper = (target: Item) => {
        try {
          ((target.data.list as JsonValue[])[1] as JsonObject).deep = 'changed';
          (target.data.nested as JsonObject).n = 2;
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
        }
      };
      expect(read).toBeDefined();
      tamper(read as Item);
      let cursor: string | undefined;
      let scanned: Item | undefined;
      do {
        const page = await repo.scan(1000, cursor);
        scanned = page.items.find((i) => i.object_id === item.object_id);
        cursor = page.nextCursor;
      } while (!scanned && cursor);
      expect(scanned).toBeDefined();
      tamper(scanned as Item);
      expect(asJson(await repo.get(item.object_id))).toEqual(expected);
    });

    test('create never overwrites: it reports the existing item', async () => {
      const repo = await makeRepository();
      const first = itemWith({ v: 1 });
      const second = { ...itemWith({ v: 2 }), object_id: first.object_id };
      await repo.create(first);
      expect(await repo.create(second)).toEqual({ created: false, existing: first });
      expect(await repo.get(first.object_id)).toEqual(first);
    });

    test('creating an item whose id is taken returns the stored one, even an equal one', async () => {
      // An Idempotency-Key replay within the same millisecond builds an equal item: it is
      // another request, reported as existing so the service answers it as a replay.
      const repo = await makeRepository();
      const item = itemWith({ n: 1, nested: { list: [1, 'two'] } });
      await repo.create(item);
      expect(await repo.create(item)).toEqual({ created: false, existing: item });
      expect(await repo.create({ ...item, data: { n: 2 } })).toEqual({ created: false, existing: item });
    });

    test('concurrent creates of one id: exactly one wins', async () => {
      const repo = await makeRepository();
      const id = uniqueId('race');
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => repo.create({ ...itemWith({ i }), object_id: id })),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const winner = await repo.get(id);
      for (const r of results) if (!r.created) expect(r.existing).toEqual(winner as Item);
    });

    test('get of an absent id is undefined', async () => {
      const repo = await makeRepository();
      expect(await repo.get(uniqueId('absent'))).toBeUndefined();
    });

    test('delete reports the item gone once, then that there was none', async () => {
      const repo = await makeRepository();
      const item = itemWith({ bye: true });
      await repo.create(item);
      expect(await repo.delete(item.object_id)).toBe(true);
      expect(await repo.delete(item.object_id)).toBe(false);
      expect(await repo.get(item.object_id)).toBeUndefined();
    });

    test('concurrent deletes of one item: exactly one sees it', async () => {
      const repo = await makeRepository();
      const item = itemWith({});
      await repo.create(item);
      const results = await Promise.all(Array.from({ length: 6 }, () => repo.delete(item.object_id)));
      expect(results.filter((r) => r)).toHaveLength(1);
    });

    test('scan pages through every item exactly once', async () => {
      const repo = await makeRepository();
      const prefix = uniqueId('page');
      const ids = new Set<string>();
      for (let i = 0; i < 23; i++) {
        const item = itemWith({ i }, `${prefix}-${i}`);
        ids.add(item.object_id);
        await repo.create(item);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await repo.scan(5, cursor);
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((item) => item.object_id));
        cursor = page.nextCursor;
        pages++;
        expect(pages).toBeLessThan(1000);
      } while (cursor !== undefined);
      const ours = seen.filter((id) => ids.has(id));
      expect(ours).toHaveLength(ids.size);
      expect(new Set(ours).size).toBe(ids.size);
      expect(new Set(seen).size).toBe(seen.length);
    });

    test('a cursor still resumes after the item it names is deleted', async () => {
      const repo = await makeRepository();
      const prefix = uniqueId('gone');
      for (let i = 0; i < 6; i++) await repo.create(itemWith({ i }, `${prefix}-${i}`));
      const first = await repo.scan(1, undefined);
      const named = first.items[0] as Item;
      await repo.delete(named.object_id);
      const rest: string[] = [];
      let cursor = first.nextCursor;
      while (cursor !== undefined) {
        const page = await repo.scan(100, cursor);
        rest.push(...page.items.map((item) => item.object_id));
        cursor = page.nextCursor;
      }
      expect(rest).not.toContain(named.object_id);
      expect(new Set(rest).size).toBe(rest.length);
    });

    test('a cursor it did not issue is an InvalidPageRequest', async () => {
      const repo = await makeRepository();
      for (const bad of [
        'not base64!',
        'eyJ2IjoyfQ',
        Buffer.from('{"v":1,"k":""}').toString('base64url'),
        '',
      ]) {
        await expect(repo.scan(10, bad)).rejects.toBeInstanceOf(InvalidPageRequest);
      }
    });

    test('a well-formed cursor it did not issue resumes after the key it names (cursors are not signed)', async () => {
      const repo = await makeRepository();
      const prefix = uniqueId('forged');
      for (let i = 0; i < 3; i++) await repo.create(itemWith({ i }, `${prefix}-${i}`));
      for (const key of [`${prefix}-1`, 'zzzz-never-stored', '\u{10FFFF}']) {
        const forged = Buffer.from(JSON.stringify({ v: 1, k: key })).toString('base64url');
        const page = await repo.scan(10, forged);
        expect(page.items.map((item) => item.object_id)).not.toContain(key);
      }
    });

    test('ping resolves while the store answers', async () => {
      const repo = await makeRepository();
      await repo.ping();
    });
  });
}
