import type { Item, ItemPage } from './item.ts';

/** Outcome of a conditional create. */
export type CreateResult = { readonly created: true } | { readonly created: false; readonly existing: Item };

/**
 * The port every item store implements. Adapters translate their own failures
 * into domain errors (`StoreUnavailable`, `InvalidPageRequest` for a cursor they
 * cannot read); they never let a driver error escape.
 */
export interface ItemRepository {
  /**
   * Stores `item` only if no item has its `object_id` (a conditional write,
   * never an overwrite). When one exists, returns it, read consistently, even when it
   * equals `item` (an Idempotency-Key replay in the same millisecond is another request).
   * A store whose client retries a write reports it created when a retry meets the item an
   * earlier attempt of the same call had landed (`sameItem`), never a second copy.
   */
  create(item: Item): Promise<CreateResult>;
  get(objectId: string): Promise<Item | undefined>;
  /**
   * Deletes atomically; whether there was an item to delete. A delete retried after an
   * attempt whose outcome is unknown (it may have landed) that then finds nothing
   * reports true: the item is gone, most likely by that attempt, and a 404 for a delete
   * that happened is the worse answer.
   */
  delete(objectId: string): Promise<boolean>;
  /**
   * One page of at most `limit` items, starting after `cursor` (an opaque string
   * this repository produced). Following cursors to the end yields every item
   * that existed throughout exactly once.
   */
  scan(limit: number, cursor: string | undefined): Promise<ItemPage>;
  /** Resolves when the store answers; throws StoreUnavailable otherwise. */
  ping(): Promise<void>;
}
