import { z } from 'zod';
import { MAX_BODY_BYTES, MAX_DATA_DEPTH, MAX_KEY_BYTES } from '../domain/item-rules.ts';
import { IdempotencyKeyHeader, ItemData, ObjectId } from './item.ts';
import { MAX_REQUEST_ID_LENGTH, REQUEST_ID_CHARACTERS, REQUEST_ID_PATTERN } from './request-id.ts';

/**
 * The HTTP-level parts of the contract that are not bodies: path parameters,
 * request headers and the response headers the API promises. The app validates
 * requests with these, the OpenAPI document is generated from them, and the
 * contract suite (e2e/) checks real responses against them.
 */

export const JSON_CONTENT_TYPE = 'application/json';

/** Path parameters of `GET /picus/get/{key}` and `DELETE /picus/{key}`. */
export const ItemKeyParams = z.object({
  key: ObjectId.describe(
    `The item key, percent-encoded in the path (the server decodes it): 1..${MAX_KEY_BYTES} bytes of UTF-8, ` +
      'e.g. the object_id that POST /picus/put returned.',
  ).meta({ examples: ['0b7e5a8c-3f2d-4e1a-9c6b-2d4f8a1e7c30'] }),
});
export type ItemKeyParams = z.infer<typeof ItemKeyParams>;

/**
 * Request headers of `POST /picus/put` (names lower-case, as the server sees them). The key has
 * no example on purpose: Swagger UI pre-fills a parameter's example, so every reader of the docs
 * would share one key and get a 409 once they changed the body.
 */
export const PutItemHeaders = z.object({
  'idempotency-key': IdempotencyKeyHeader.optional(),
});
export type PutItemHeaders = z.infer<typeof PutItemHeaders>;

/** The body of `POST /picus/put`: the item's data, a JSON object of at most MAX_BODY_BYTES. */
export const PutItemBody = ItemData.meta({
  description:
    `The item to store: any JSON object (not an array or scalar), nested at most ${MAX_DATA_DEPTH} levels, ` +
    `at most ${MAX_BODY_BYTES / 1024} KiB as UTF-8, sent with Content-Type: application/json.`,
  examples: [{ name: 'Ada', tags: ['math', 'engines'], born: 1815, nested: { ok: true } }],
});

/** `x-request-id`, on every response: the caller's if it was sane, else the trace root, else a new UUID. */
export const RequestIdHeader = z
  .string()
  .regex(REQUEST_ID_PATTERN)
  .describe(
    `Identifies this request in the logs; echoed from the request when it is 1..${MAX_REQUEST_ID_LENGTH} of ` +
      `${REQUEST_ID_CHARACTERS}, else the X-Ray trace root, else a new UUID.`,
  );

/** `Location` of a 201 from `POST /picus/put`. */
export const LocationHeader = z
  .string()
  .regex(/^\/picus\/get\/[^/?#]+$/)
  .describe('Where to read the item: /picus/get/{object_id}, percent-encoded.');

/** `idempotent-replayed` on a put that an earlier request with the same Idempotency-Key already did. */
export const IdempotentReplayedHeader = z
  .literal('true')
  .describe('Present (`true`) when an earlier put with the same Idempotency-Key created the item.');

/** `Allow` of a 405: the methods the resource accepts. */
export const AllowHeader = z
  .string()
  .regex(/^[A-Z]+(?:, ?[A-Z]+)*$/)
  .describe('The methods this resource accepts, e.g. `GET`.');

/** `Retry-After` of a 503, in whole seconds. */
export const RetryAfterHeader = z.string().regex(/^\d+$/).describe('Seconds to wait before retrying.');
