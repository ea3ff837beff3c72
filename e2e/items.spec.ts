import type { Item } from '../contracts/item.ts';
import { expectResponse, expectSizeRefusal } from './support/contract.ts';
import { deletePath, expect, type Items, itemPath, NO_DELETE, test, unique } from './support/items.ts';

/** Pages through the whole table; `limits` gives the page size of each request (the last one repeats). */
async function listAll(items: Items, limits: readonly number[]): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const limit = limits[Math.min(pages, limits.length - 1)] as number;
    const params: Record<string, string | number> = { limit };
    if (cursor !== null) params.cursor = cursor;
    const page = await expectResponse(await items.list(params), 'listItems', 200);
    expect(page.count).toBe(page.items.length);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((item) => item.object_id));
    cursor = page.next_cursor;
    pages++;
  } while (cursor !== null);
  return { ids, pages };
}

test.describe('put, get, list', () => {
  // The deploy gate: one item through every operation, through the load balancer (DELETE is the
  // Lambda's). It lists one page and never looks for its item there, so its cost does not grow
  // with the table: a Scan of one page reads at most `limit` items.
  test('put → get → list one page → delete → get 404, at a cost independent of the table', {
    tag: '@smoke',
  }, async ({ items, request }) => {
    const data = { marker: unique('gate'), n: 42, nested: { list: [1, 'two', null, true] } };
    const response = await items.put(data);
    const created = await expectResponse(response, 'putItem', 201);
    expect(response.headers().location).toBe(itemPath(created.object_id));
    const item = await expectResponse(await items.get(created.object_id), 'getItem', 200);
    expect(item).toMatchObject({ object_id: created.object_id, data, created_at: created.created_at });

    const page = await expectResponse(await items.list({ limit: 5 }), 'listItems', 200);
    expect(page.count).toBe(page.items.length);
    expect(page.items.length).toBeLessThanOrEqual(5);
    if (page.next_cursor !== null) {
      const next = await expectResponse(
        await items.list({ limit: 5, cursor: page.next_cursor }),
        'listItems',
        200,
      );
      expect(next.items.length).toBeLessThanOrEqual(5);
    }

    if (NO_DELETE) return; // the container alone does not serve DELETE
    expect(
      await expectResponse(await request.delete(deletePath(created.object_id)), 'deleteItem', 200),
    ).toEqual({
      object_id: created.object_id,
      deleted: true,
    });
    await expectResponse(await items.get(created.object_id), 'getItem', 404);
    await expectResponse(await items.delete(created.object_id), 'deleteItem', 404);
  });

  // Pages through the whole table to find its item: the full suite's, not the gate's.
  test('put → get → list: the item comes back exactly as sent', async ({ items, request }) => {
    const data = { marker: unique('smoke'), n: 42, nested: { list: [1, 'two', null, true] } };
    const response = await items.put(data);
    const created = await expectResponse(response, 'putItem', 201);
    expect(response.headers().location).toBe(itemPath(created.object_id));
    expect(response.headers()['idempotent-replayed']).toBeUndefined();

    const item = await expectResponse(
      await request.get(response.headers().location as string),
      'getItem',
      200,
    );
    expect(item).toEqual({
      object_id: created.object_id,
      data,
      created_at: created.created_at,
      created_by: item.created_by,
    });

    let found: Item | undefined;
    let cursor: string | null = null;
    do {
      const params: Record<string, string | number> = { limit: 1000 };
      if (cursor !== null) params.cursor = cursor;
      const page = await expectResponse(await items.list(params), 'listItems', 200);
      found = page.items.find((candidate) => candidate.object_id === created.object_id);
      cursor = page.next_cursor;
    } while (!found && cursor !== null);
    expect(found).toEqual(item);
  });

  test('data of every JSON kind round-trips exactly', async ({ items }) => {
    // `data` is level 1, so `deep` may nest 31 more: the most the API accepts.
    let deep: Record<string, unknown> = { bottom: true };
    for (let level = 2; level <= 31; level++) deep = { level, deep };
    const data = {
      marker: unique('kinds'),
      text: 'héllo wörld ✓ 🦜 "quoted" \\ \n\t',
      'ключ with spaces & symbols/?#%': 'value',
      empty: {},
      emptyList: [],
      emptyText: '',
      numbers: [0, -1, 1.5, 1e125, -1e125, 1e-130, 2 ** 53 - 1],
      flags: [true, false, null],
      mixed: [{ a: [{ b: [] }] }, 'x', 3],
      deep,
    };
    const created = await items.create(data);
    const item = await expectResponse(await items.get(created.object_id), 'getItem', 200);
    expect(item.data).toEqual(data);
  });

  test('GET decodes percent-encoded keys', async ({ items, request }) => {
    const created = await items.create({ marker: unique('encoded') });
    const everyCharEncoded = [...created.object_id]
      .map((ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`)
      .join('');
    const item = await expectResponse(await request.get(`/picus/get/${everyCharEncoded}`), 'getItem', 200);
    expect(item.object_id).toBe(created.object_id);

    const problem = await expectResponse(await request.get('/picus/get/%E2%82%AC%20x'), 'getItem', 404);
    expect(problem.detail).toContain('"€ x"');
  });

  test('GET of an absent key is 404; keys up to 1024 bytes are valid', async ({ items }) => {
    await expectResponse(await items.get(unique('absent')), 'getItem', 404);
    await expectResponse(await items.get('k'.repeat(1024)), 'getItem', 404);
    await expectResponse(await items.get('€'.repeat(341)), 'getItem', 404); // 1023 bytes
  });

  test('GET with an empty, too long or badly encoded key is 400', async ({ items, request }) => {
    await expectResponse(await request.get('/picus/get/'), 'getItem', 400);
    await expectSizeRefusal(await items.get('k'.repeat(1025)), 'getItem', 400, 'GET with a 1025-byte key');
    await expectSizeRefusal(await items.get('€'.repeat(342)), 'getItem', 400, 'GET with a 1026-byte key');
    await expectResponse(await request.get('/picus/get/%E0%A4%A'), 'getItem', 400);
    await expectResponse(await request.get('/picus/get/%FF'), 'getItem', 400);
  });
});

test.describe('list', () => {
  test('pagination to the end yields every item exactly once', async ({ items }) => {
    const marker = unique('pages');
    const mine = new Set<string>();
    for (let i = 0; i < 7; i++) mine.add((await items.create({ marker, i })).object_id);

    // Small pages first (so our items span several), then big ones to finish a shared table quickly.
    const { ids, pages } = await listAll(items, [2, 3, 1, 2, 1000]);
    expect(new Set(ids).size, 'no item is listed twice').toBe(ids.length);
    for (const id of mine)
      expect(
        ids.filter((listed) => listed === id),
        id,
      ).toHaveLength(1);
    expect(pages).toBeGreaterThanOrEqual(4);
  });

  test('limit defaults to 100 and accepts 1..1000', async ({ items }) => {
    await items.create({ marker: unique('limit') });
    const byDefault = await expectResponse(await items.list(), 'listItems', 200);
    expect(byDefault.items.length).toBeLessThanOrEqual(100);
    const one = await expectResponse(await items.list({ limit: 1 }), 'listItems', 200);
    expect(one.items.length).toBe(1);
    const most = await expectResponse(await items.list({ limit: 1000 }), 'listItems', 200);
    expect(most.items.length).toBeLessThanOrEqual(1000);
  });

  test('a bad limit or cursor is 400', async ({ request }) => {
    for (const query of [
      'limit=0',
      'limit=1001',
      'limit=-1',
      'limit=1.5',
      'limit=abc',
      'limit=',
      'cursor=',
      'cursor=not-a-cursor',
      'cursor=eyJub3QiOiJvdXJzIn0',
    ]) {
      const response = await request.get(`/picus/list?${query}`);
      const problem = await expectResponse(response, 'listItems', 400);
      expect(problem.type, query).toBe('urn:picus:problem:invalid-page-request');
    }
    const long = await request.get(`/picus/list?cursor=${'A'.repeat(5000)}`);
    await expectSizeRefusal(long, 'listItems', 400, 'a 5000-character cursor');
  });
});

test.describe('idempotent put', () => {
  test('same key and body: same object_id, 201 again, idempotent-replayed', async ({ items }) => {
    const key = unique('idem');
    const data = { marker: key, a: 1, b: [1, 2] };
    const first = await items.put(data, { idempotencyKey: key });
    const created = await expectResponse(first, 'putItem', 201);
    expect(first.headers()['idempotent-replayed']).toBeUndefined();

    // Same JSON, keys in another order: still the same body.
    const again = await items.put({ b: [1, 2], a: 1, marker: key }, { idempotencyKey: key });
    const replayed = await expectResponse(again, 'putItem', 201);
    expect(again.headers()['idempotent-replayed']).toBe('true');
    expect(replayed).toEqual(created);
    expect(again.headers().location).toBe(first.headers().location);
  });

  test('same key, another body: 409, and the first item is untouched', async ({ items }) => {
    const key = unique('conflict');
    const created = await items.create({ marker: key, v: 1 }, { idempotencyKey: key });
    await expectResponse(await items.put({ marker: key, v: 2 }, { idempotencyKey: key }), 'putItem', 409);
    const item = await expectResponse(await items.get(created.object_id), 'getItem', 200);
    expect(item.data).toEqual({ marker: key, v: 1 });
  });

  test('different keys create different items', async ({ items }) => {
    const data = { marker: unique('two-keys') };
    const a = await items.create(data, { idempotencyKey: unique('a') });
    const b = await items.create(data, { idempotencyKey: unique('b') });
    expect(a.object_id).not.toBe(b.object_id);
  });

  test('an Idempotency-Key that is not 1..255 visible ASCII is 400', async ({ items }) => {
    for (const key of ['has space', 'x'.repeat(256), 'tab\there']) {
      const response = await items.put({ marker: unique('bad-key') }, { idempotencyKey: key });
      const problem = await expectResponse(response, 'putItem', 400);
      expect(problem.type).toBe('urn:picus:problem:invalid-idempotency-key');
    }
    await items.create({ marker: unique('longest-key') }, { idempotencyKey: `~${'k'.repeat(254)}` });
  });
});

test.describe('delete (the Lambda, through the load balancer)', () => {
  test.skip(NO_DELETE, 'SMOKE_NO_DELETE=1: the target does not serve DELETE');

  test('lifecycle: put → get → list → delete → get 404 → delete 404', async ({ items, request }) => {
    const data = { marker: unique('lifecycle') };
    const created = await items.create(data);
    await expectResponse(await items.get(created.object_id), 'getItem', 200);
    const { ids } = await listAll(items, [1000]);
    expect(ids).toContain(created.object_id);

    const requestId = unique('delete');
    const deleted = await request.delete(deletePath(created.object_id), {
      headers: { 'x-request-id': requestId },
    });
    expect(await expectResponse(deleted, 'deleteItem', 200)).toEqual({
      object_id: created.object_id,
      deleted: true,
    });
    expect(deleted.headers()['x-request-id']).toBe(requestId);

    await expectResponse(await items.get(created.object_id), 'getItem', 404);
    const again = await expectResponse(await items.delete(created.object_id), 'deleteItem', 404);
    expect(again.detail).toContain(created.object_id);
  });

  test('DELETE decodes percent-encoded keys', async ({ items, request }) => {
    const created = await items.create({ marker: unique('delete-encoded') });
    const everyCharEncoded = [...created.object_id]
      .map((ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, '0')}`)
      .join('');
    const body = await expectResponse(await request.delete(`/picus/${everyCharEncoded}`), 'deleteItem', 200);
    expect(body.object_id).toBe(created.object_id);
    await expectResponse(await items.get(created.object_id), 'getItem', 404);
  });

  test('DELETE with an empty, too long or badly encoded key is 400', async ({ items, request }) => {
    await expectResponse(await request.delete('/picus/'), 'deleteItem', 400);
    await expectSizeRefusal(
      await items.delete('k'.repeat(1025)),
      'deleteItem',
      400,
      'DELETE with a 1025-byte key',
    );
    await expectResponse(await request.delete('/picus/%E0%A4%A'), 'deleteItem', 400);
    await expectResponse(await items.delete(unique('absent')), 'deleteItem', 404);
  });
});

test.describe('exact numbers', () => {
  test('a number keeps its exact decimal value through put and get', async ({ items }) => {
    const body = `{"marker":"${unique('exact')}","n":9007199254740993,"pi":3.1415926535897932384626433832795028841,"z":-0}`;
    const created = await expectResponse(await items.put(body), 'putItem', 201);
    const response = await items.get(created.object_id);
    await expectResponse(response, 'getItem', 200);
    const text = await response.text();
    expect(text).toContain('"n":9007199254740993');
    expect(text).toContain('"pi":3.1415926535897932384626433832795028841');
    expect(text).toContain('"z":0');
  });

  test('a number DynamoDB cannot hold exactly is refused with 422', async ({ items }) => {
    for (const number of ['1e-400', '1.23456789012345678901234567890123456789', '1e126']) {
      await expectResponse(await items.put(`{"n":${number}}`), 'putItem', 422);
    }
  });
});
