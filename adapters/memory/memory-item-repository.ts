import { parseExactJson } from '../../domain/exact-number.ts';
import type { Item, ItemPage } from '../../domain/item.ts';
import type { CreateResult, ItemRepository } from '../../domain/item-repository.ts';
import { decodeCursor, encodeCursor } from '../scan-cursor.ts';

/**
 * An in-process store with the DynamoDB adapter's semantics, for unit tests and
 * `PICUS_STORE=memory`. Keys are kept sorted so a cursor resumes by binary search,
 * even after the item it names was deleted; new keys wait unsorted until the next scan or
 * delete merges them in (inserting each into the sorted array moved every key after it: a
 * put got slower the more items there were). Like a real store, it keeps each item
 * serialized (as JSON text) and decodes a fresh copy per read: no caller can reach
 * stored state, and a read costs one JSON.parse (a structuredClone per read cost
 * GET a third of its time; frozen shared objects made JSON.stringify 4x slower).
 */
export class MemoryItemRepository implements ItemRepository {
  readonly #items = new Map<string, string>();
  #sortedKeys: string[] = [];
  /** Keys created since the sorted list was last brought up to date. */
  #newKeys: string[] = [];

  async create(item: Item): Promise<CreateResult> {
    const existing = this.#items.get(item.object_id);
    if (existing !== undefined) return { created: false, existing: decode(existing) };
    this.#items.set(item.object_id, JSON.stringify(item));
    this.#newKeys.push(item.object_id);
    return { created: true };
  }

  async get(objectId: string): Promise<Item | undefined> {
    const stored = this.#items.get(objectId);
    return stored === undefined ? undefined : decode(stored);
  }

  async delete(objectId: string): Promise<boolean> {
    if (!this.#items.delete(objectId)) return false;
    this.#sortKeys();
    this.#sortedKeys.splice(this.#firstIndexAfter(objectId, true), 1);
    return true;
  }

  async scan(limit: number, cursor: string | undefined): Promise<ItemPage> {
    this.#sortKeys();
    const start = cursor === undefined ? 0 : this.#firstIndexAfter(decodeCursor(cursor), false);
    const keys = this.#sortedKeys.slice(start, start + limit);
    const items = keys.map((key) => decode(this.#items.get(key) as string));
    const more = start + keys.length < this.#sortedKeys.length;
    const last = keys.at(-1);
    return { items, nextCursor: more && last !== undefined ? encodeCursor(last) : undefined };
  }

  async ping(): Promise<void> {}

  get size(): number {
    return this.#items.size;
  }

  /** Merges the keys created since into the sorted list (code-unit order, as the binary search). */
  #sortKeys(): void {
    if (this.#newKeys.length === 0) return;
    const added = this.#newKeys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.#newKeys = [];
    const merged: string[] = new Array(this.#sortedKeys.length + added.length);
    let [i, j, k] = [0, 0, 0];
    while (i < this.#sortedKeys.length && j < added.length) {
      merged[k++] =
        (this.#sortedKeys[i] as string) < (added[j] as string)
          ? (this.#sortedKeys[i++] as string)
          : (added[j++] as string);
    }
    while (i < this.#sortedKeys.length) merged[k++] = this.#sortedKeys[i++] as string;
    while (j < added.length) merged[k++] = added[j++] as string;
    this.#sortedKeys = merged;
  }

  /** Index of the first key >= `key` (inclusive) or > `key` (exclusive), by code-unit order. */
  #firstIndexAfter(key: string, inclusive: boolean): number {
    let lo = 0;
    let hi = this.#sortedKeys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const probe = this.#sortedKeys[mid] as string;
      if (probe < key || (!inclusive && probe === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * The service validated the data as JSON before it reached the store, so the text round-trips
 * exactly; JSON.parse keeps a `__proto__` key as an own property. Numbers come back as the exact
 * text they were stored as (canonical already), as DynamoDB's do.
 */
function decode(text: string): Item {
  return parseExactJson(text) as Item;
}
