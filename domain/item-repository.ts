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
   * never an overwrite). When one exists, returns it, read consistently.
   */
  create(item: Item): Promise<CreateResult>;
  get(objectId: string): Promise<Item | undefined>;
  /** Deletes atomically; whether there was an item to delete. */
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
