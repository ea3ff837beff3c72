import { InvalidIdempotencyKey, InvalidItem, InvalidKey, InvalidPageRequest } from './errors.ts';
import {
  canonicalNumber,
  doubleRefusal,
  type ExactNumber,
  isExactNumber,
  numberValue,
} from './exact-number.ts';
import type { JsonObject, JsonValue } from './item.ts';

/** DynamoDB partition keys are 1..2048 bytes; the API promises 1..1024 (UTF-8). */
export const MAX_KEY_BYTES = 1024;
/** DynamoDB nests documents at most 32 levels; `data` itself is level 1. */
export const MAX_DATA_DEPTH = 32;
/** DynamoDB attribute names (including map keys) are 1..65535 bytes. */
export const MAX_ATTRIBUTE_NAME_BYTES = 65535;

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
/** The longest `cursor` accepted; the ones the API issues are far shorter (a key is at most 1024 bytes). */
export const MAX_CURSOR_LENGTH = 4096;

/** The largest item body the API accepts, as UTF-8 JSON (DynamoDB's item limit is 400 KB). */
export const MAX_BODY_BYTES = 256 * 1024;

/** Idempotency keys: 1..255 visible ASCII characters (what clients put in a header). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
export const IDEMPOTENCY_KEY_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`);
export const IDEMPOTENCY_KEY_RULE = `Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters.`;

/** What a page size must be; the domain's refusal and the query parameter's say the same. */
export const PAGE_SIZE_RULE = `limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`;

const utf8 = new TextEncoder();

/** Whether `text` encodes to more than `max` bytes of UTF-8, encoding only when it must. */
function exceedsUtf8Bytes(text: string, max: number): boolean {
  // A UTF-16 unit encodes to 1..3 bytes, so the length alone often decides.
  if (text.length > max) return true;
  return text.length * 3 > max && utf8.encode(text).length > max;
}

export function assertValidKey(key: string): void {
  if (key.length === 0) throw new InvalidKey('The key must not be empty.');
  if (exceedsUtf8Bytes(key, MAX_KEY_BYTES)) {
    throw new InvalidKey(`The key must be at most ${MAX_KEY_BYTES} bytes of UTF-8.`);
  }
  if (!key.isWellFormed()) throw new InvalidKey('The key must be valid Unicode (no lone surrogates).');
}

export function assertValidIdempotencyKey(key: string): void {
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) throw new InvalidIdempotencyKey(IDEMPOTENCY_KEY_RULE);
}

export function assertValidPageSize(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidPageRequest(PAGE_SIZE_RULE);
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isExactNumber(value);
}

export function isJsonNumber(value: unknown): value is number | ExactNumber {
  return typeof value === 'number' || isExactNumber(value);
}

/**
 * `data` as the store keeps it, or InvalidItem saying why it cannot be kept exactly: a JSON
 * object within DynamoDB's depth, number and attribute-name limits, with every number in its
 * canonical exact form (see exact-number.ts). Recursion stops at the depth limit, so a hostile
 * nesting cannot overflow the stack. Keys are defined as own entries (a `__proto__` key stays data).
 */
export function storableData(data: unknown): JsonObject {
  if (!isJsonObject(data)) throw new InvalidItem('The item must be a JSON object.');
  return storableValue(data, 1) as JsonObject;
}

/** Throws InvalidItem unless `data` is a storable item (see storableData). */
export function assertValidData(data: unknown): asserts data is JsonObject {
  storableData(data);
}

/**
 * `value` in its storable form: the same value when it already is (the common case: a parsed
 * body is copied only where a number is rewritten), else a copy with the rewritten parts.
 */
function storableValue(value: JsonValue, depth: number): JsonValue {
  if (isJsonNumber(value)) return storableNumber(value);
  if (typeof value === 'string') {
    if (!value.isWellFormed()) throw new InvalidItem('Strings must be valid Unicode (no lone surrogates).');
    return value;
  }
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DATA_DEPTH)
    throw new InvalidItem(`The item is nested deeper than ${MAX_DATA_DEPTH} levels.`);
  if (Array.isArray(value)) {
    let copy: JsonValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const child = value[i] as JsonValue;
      const stored = storableValue(child, depth + 1);
      if (copy === undefined && !Object.is(stored, child)) copy = value.slice(0, i);
      copy?.push(stored);
    }
    return copy ?? value;
  }
  let copy: JsonObject | undefined;
  const names = Object.keys(value);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    assertStorableName(name);
    const child = value[name] as JsonValue;
    const stored = storableValue(child, depth + 1);
    if (copy === undefined && !Object.is(stored, child)) {
      copy = {};
      for (const earlier of names.slice(0, i)) defineMember(copy, earlier, value[earlier] as JsonValue);
    }
    if (copy !== undefined) defineMember(copy, name, stored);
  }
  return copy ?? value;
}

/** Sets a member as an own entry (a `__proto__` key stays data, not the copy's prototype). */
function defineMember(object: JsonObject, name: string, value: JsonValue): void {
  Object.defineProperty(object, name, { value, enumerable: true, writable: true, configurable: true });
}

function storableNumber(value: number | ExactNumber): number | ExactNumber {
  if (typeof value === 'number') {
    const refusal = doubleRefusal(value);
    if (refusal !== undefined) throw new InvalidItem(refusal);
    return value === 0 ? 0 : value; // -0 is 0, as DynamoDB has it
  }
  const canonical = canonicalNumber(value.rawJSON);
  if ('refusal' in canonical) throw new InvalidItem(canonical.refusal);
  const stored = numberValue(canonical.text);
  // Already canonical: the same value, so its container needs no copy.
  return typeof stored !== 'number' && stored.rawJSON === value.rawJSON ? value : stored;
}

function assertStorableName(name: string): void {
  if (name.length === 0) throw new InvalidItem('Object keys must not be empty.');
  if (!name.isWellFormed()) throw new InvalidItem('Object keys must be valid Unicode (no lone surrogates).');
  if (exceedsUtf8Bytes(name, MAX_ATTRIBUTE_NAME_BYTES)) {
    throw new InvalidItem(`Object keys must be at most ${MAX_ATTRIBUTE_NAME_BYTES} bytes of UTF-8.`);
  }
}
