import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { canonicalNumber, isExactNumber, numberValue } from '../../domain/exact-number.ts';
import type { JsonObject, JsonValue } from '../../domain/item.ts';

/**
 * JSON <-> DynamoDB AttributeValue for item data.
 *
 * Why not `@aws-sdk/util-dynamodb`'s marshall/unmarshall: they build maps by plain
 * assignment, so a JSON key named `__proto__` replaces the map's prototype instead
 * of becoming an entry, and the data does not round-trip. JSON needs only six
 * types, and defining properties explicitly keeps every key an ordinary entry.
 *
 * The SDK's wire (de)serialisers assign map entries the same way, so a `__proto__`
 * key would still vanish in transit. Map keys are therefore stored escaped: a key
 * that is `__proto__` or starts with `~` gets one `~` prepended, and reading strips
 * one leading `~`. The mapping is a bijection, and every other key is stored as is.
 *
 * Numbers travel as their exact decimal text both ways (DynamoDB's `N` is a string): an
 * ExactNumber's text is stored as is, and a stored number comes back in the canonical form (the
 * one the domain stores; DynamoDB may lay the same value out differently): a double when it
 * writes back as that text, else an ExactNumber.
 */
export function toAttributeValue(value: JsonValue): AttributeValue {
  if (value === null) return { NULL: true };
  if (isExactNumber(value)) return { N: value.rawJSON };
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'number':
      return { N: String(value) };
    case 'boolean':
      return { BOOL: value };
  }
  if (Array.isArray(value)) return { L: value.map(toAttributeValue) };
  return { M: toAttributeMap(value) };
}

export function toAttributeMap(object: JsonObject): Record<string, AttributeValue> {
  const map: Record<string, AttributeValue> = {};
  for (const key of Object.keys(object)) {
    defineEntry(map, escapeKey(key), toAttributeValue(object[key] as JsonValue));
  }
  return map;
}

export function fromAttributeValue(value: AttributeValue): JsonValue {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return storedNumber(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.L !== undefined) return value.L.map(fromAttributeValue);
  if (value.M !== undefined) return fromAttributeMap(value.M);
  throw new TypeError('Stored data holds a DynamoDB type JSON cannot represent.');
}

export function fromAttributeMap(map: Record<string, AttributeValue>): JsonObject {
  const object: JsonObject = {};
  for (const key of Object.keys(map)) {
    defineEntry(object, unescapeKey(key), fromAttributeValue(map[key] as AttributeValue));
  }
  return object;
}

function storedNumber(text: string): JsonValue {
  const canonical = canonicalNumber(text);
  if ('refusal' in canonical) throw new TypeError(`Stored data holds a number JSON cannot carry: ${text}`);
  return numberValue(canonical.text);
}

function defineEntry<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const ESCAPE = '~';

function escapeKey(key: string): string {
  return key === '__proto__' || key.startsWith(ESCAPE) ? ESCAPE + key : key;
}

function unescapeKey(key: string): string {
  return key.startsWith(ESCAPE) ? key.slice(1) : key;
}
