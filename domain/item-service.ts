import { IdempotencyConflict, ItemNotFound } from './errors.ts';
import { objectIdForIdempotencyKey, sameJson } from './idempotency.ts';
import type { Item, ItemPage } from './item.ts';
import type { ItemRepository } from './item-repository.ts';
import {
  assertValidIdempotencyKey,
  assertValidKey,
  assertValidPageSize,
  DEFAULT_PAGE_SIZE,
  storableData,
} from './item-rules.ts';

export interface PutResult {
  readonly item: Item;
  /** True when an earlier request with the same Idempotency-Key already created the item. */
  readonly replayed: boolean;
}

export interface PutOptions {
  /** Makes retries safe: the same key (for the same caller) and body create one item. */
  readonly idempotencyKey?: string | undefined;
  /** The caller's identity, recorded on the item and scoping its idempotency keys. */
  readonly createdBy?: string | null | undefined;
}

export interface ItemServiceOptions {
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/** A random v4 id colliding is astronomically unlikely; a few tries make it impossible in practice. */
const MAX_ID_ATTEMPTS = 3;

/** The use cases of the API, independent of HTTP, Lambda and the store behind the port. */
export class ItemService {
  readonly #repository: ItemRepository;
  readonly #now: () => Date;
  readonly #newId: () => string;

  constructor(repository: ItemRepository, options: ItemServiceOptions = {}) {
    this.#repository = repository;
    this.#now = options.now ?? (() => new Date());
    this.#newId = options.newId ?? (() => crypto.randomUUID());
  }

  /**
   * The same use cases over the same store seen through `wrap` (a decorator of the port, e.g.
   * one that times each call for one request's metrics).
   */
  withRepository(wrap: (repository: ItemRepository) => ItemRepository): ItemService {
    return new ItemService(wrap(this.#repository), { now: this.#now, newId: this.#newId });
  }

  async list(limit: number = DEFAULT_PAGE_SIZE, cursor?: string): Promise<ItemPage> {
    assertValidPageSize(limit);
    return this.#repository.scan(limit, cursor);
  }

  async put(input: unknown, options: PutOptions = {}): Promise<PutResult> {
    const data = storableData(input);
    const { idempotencyKey } = options;
    const createdBy = options.createdBy ?? null;
    if (idempotencyKey !== undefined) {
      assertValidIdempotencyKey(idempotencyKey);
      const item = this.#newItem(objectIdForIdempotencyKey(idempotencyKey, createdBy), data, createdBy);
      const result = await this.#repository.create(item);
      if (result.created) return { item, replayed: false };
      if (sameJson(result.existing.data, data)) return { item: result.existing, replayed: true };
      throw new IdempotencyConflict(result.existing.object_id);
    }
    for (let attempt = 1; ; attempt++) {
      const item = this.#newItem(this.#newId(), data, createdBy);
      const result = await this.#repository.create(item);
      if (result.created) return { item, replayed: false };
      if (attempt >= MAX_ID_ATTEMPTS) throw new Error('Could not allocate a unique object_id.');
    }
  }

  async get(objectId: string): Promise<Item> {
    assertValidKey(objectId);
    const item = await this.#repository.get(objectId);
    if (!item) throw new ItemNotFound(objectId);
    return item;
  }

  async delete(objectId: string): Promise<void> {
    assertValidKey(objectId);
    if (!(await this.#repository.delete(objectId))) throw new ItemNotFound(objectId);
  }

  /** Readiness: resolves when the store answers. */
  async ready(): Promise<void> {
    await this.#repository.ping();
  }

  #newItem(objectId: string, data: Item['data'], createdBy: string | null): Item {
    return { object_id: objectId, data, created_at: this.#now().toISOString(), created_by: createdBy };
  }
}
