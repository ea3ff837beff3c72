import { InvalidIdempotencyKey, InvalidItem, InvalidKey, InvalidPageRequest } from './errors.ts';
import type { JsonObject, JsonValue } from './item.ts';

/** DynamoDB partition keys are 1..2048 bytes; the API promises 1..1024 (UTF-8). */
export const MAX_KEY_BYTES = 1024;
/** DynamoDB nests documents at most 32 levels; `data` itself is level 1. */
export const MAX_DATA_DEPTH = 32;
/** DynamoDB attribute names (including map keys) are 1..65535 bytes. */
export const MAX_ATTRIBUTE_NAME_BYTES = 65535;
/** DynamoDB numbers: magnitude 1E-130 .. 9.9999999999999999999999999999999999999E+125. */
// DynamoDB's maximum is 9.9999999999999999999999999999999999999E+125: every double below 1e126 fits.
const MAX_NUMBER_MAGNITUDE = 1e126;
const MIN_NUMBER_MAGNITUDE = 1e-130;

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** Idempotency keys: 1..255 visible ASCII characters (what clients put in a header). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

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
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new InvalidIdempotencyKey('Idempotency-Key must be 1 to 255 visible ASCII characters.');
  }
}

export function assertValidPageSize(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidPageRequest(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}.`);
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that `data` is a JSON object the store can hold and give back exactly:
 * depth, number range and attribute names within DynamoDB's limits.
 * Iterative, so a hostile nesting depth cannot overflow the stack.
 */
export function assertValidData(data: unknown): asserts data is JsonObject {
  if (!isJsonObject(data)) throw new InvalidItem('The item must be a JSON object.');
  const stack: Array<{ value: JsonValue; depth: number }> = [{ value: data, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: JsonValue; depth: number };
    if (typeof value === 'number') {
      assertStorableNumber(value);
      continue;
    }
    if (typeof value === 'string') {
      if (!value.isWellFormed()) throw new InvalidItem('Strings must be valid Unicode (no lone surrogates).');
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_DATA_DEPTH) {
      throw new InvalidItem(`The item is nested deeper than ${MAX_DATA_DEPTH} levels.`);
    }
    if (Array.isArray(value)) {
      for (const child of value) stack.push({ value: child, depth: depth + 1 });
      continue;
    }
    for (const name of Object.keys(value)) {
      assertStorableName(name);
      stack.push({ value: value[name] as JsonValue, depth: depth + 1 });
    }
  }
}

function assertStorableNumber(value: number): void {
  const magnitude = Math.abs(value);
  if (!Number.isFinite(value) || magnitude >= MAX_NUMBER_MAGNITUDE) {
    throw new InvalidItem('Numbers must be less than 1e126 in magnitude.');
  }
  if (magnitude !== 0 && magnitude < MIN_NUMBER_MAGNITUDE) {
    throw new InvalidItem('Non-zero numbers must be at least 1e-130 in magnitude.');
  }
}

function assertStorableName(name: string): void {
  if (name.length === 0) throw new InvalidItem('Object keys must not be empty.');
  if (!name.isWellFormed()) throw new InvalidItem('Object keys must be valid Unicode (no lone surrogates).');
  if (exceedsUtf8Bytes(name, MAX_ATTRIBUTE_NAME_BYTES)) {
    throw new InvalidItem(`Object keys must be at most ${MAX_ATTRIBUTE_NAME_BYTES} bytes of UTF-8.`);
  }
}
