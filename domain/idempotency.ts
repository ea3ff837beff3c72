import { createHash } from 'node:crypto';
import { canonicalNumber, numberText } from './exact-number.ts';
import type { Item, JsonValue } from './item.ts';
import { isJsonNumber } from './item-rules.ts';

/**
 * Fixed namespace for name-based (RFC 9562 version 5) object ids. Changing it
 * would make every retry after a deploy create a new item, so it never changes.
 */
const IDEMPOTENCY_NAMESPACE = Buffer.from('5c1d3c2e8a8f4b7c9e2b4f6a7d0c1e93', 'hex');

/**
 * The object id an idempotent put stores its item under. Deriving the id from the
 * key (instead of recording keys in a second table) turns "same key, same item"
 * into the store's own conditional write: two racing requests cannot both create.
 * Keys belong to their caller, as payment APIs scope them to the account: the caller's
 * identity is part of the name, so two callers' equal keys name two items. An anonymous
 * caller (null) names the key alone.
 */
export function objectIdForIdempotencyKey(key: string, caller: string | null = null): string {
  // Length-prefixed, so no (caller, key) pair can spell another.
  const name = caller === null ? key : `${caller.length}:${caller}\n${key}`;
  const hash = createHash('sha1').update(IDEMPOTENCY_NAMESPACE).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Structural equality of JSON values; object key order does not matter, and numbers are equal
 * when their exact decimal values are (9007199254740993 is not 9007199254740992).
 */
export function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (isJsonNumber(a) || isJsonNumber(b)) {
    if (!isJsonNumber(a) || !isJsonNumber(b)) return false;
    const [x, y] = [canonicalNumber(numberText(a)), canonicalNumber(numberText(b))];
    return 'text' in x && 'text' in y && x.text === y.text;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, i) => sameJson(value, b[i] as JsonValue));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k] as JsonValue, b[k] as JsonValue));
}

/**
 * The same item: key, creation time, creator and data. A store that finds exactly the item it
 * was asked to create already there is looking at its own earlier attempt (a write retried
 * after a timeout that had in fact landed): a fresh id with a millisecond timestamp is never
 * written twice by two requests.
 */
export function sameItem(a: Item, b: Item): boolean {
  return (
    a.object_id === b.object_id &&
    a.created_at === b.created_at &&
    a.created_by === b.created_by &&
    sameJson(a.data, b.data)
  );
}
