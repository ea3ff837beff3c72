import type { ExactNumber } from './exact-number.ts';

/**
 * Any value JSON can carry. Numbers in stored items are ExactNumbers (their decimal text);
 * a plain number is accepted where data is built in code.
 */
export type JsonValue = string | number | ExactNumber | boolean | null | JsonValue[] | JsonObject;

/** A JSON object: what an item's `data` is. */
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface Item {
  readonly object_id: string;
  readonly data: JsonObject;
  /** RFC 3339 timestamp in UTC, e.g. `2026-11-21T14:47:28.123Z`. */
  readonly created_at: string;
  /** Who created it (the caller's subject); null when the caller was anonymous. */
  readonly created_by: string | null;
}

/** One page of a scan. `nextCursor` is absent on the last page. */
export interface ItemPage {
  readonly items: readonly Item[];
  readonly nextCursor: string | undefined;
}
