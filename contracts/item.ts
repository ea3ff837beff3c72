import { z } from 'zod';
import {
  DEFAULT_PAGE_SIZE,
  IDEMPOTENCY_KEY_PATTERN,
  MAX_CURSOR_LENGTH,
  MAX_KEY_BYTES,
  MAX_PAGE_SIZE,
} from '../domain/item-rules.ts';
import { singleValued, strictInteger } from './query-parameter.ts';

export const ObjectId = z
  .string()
  .min(1)
  .describe(
    `The item key: a UUID for items created by POST /picus/put, 1..${MAX_KEY_BYTES} bytes of UTF-8 in general.`,
  );

export const ItemData = z
  .record(z.string(), z.unknown())
  .describe('Any JSON object, stored as a DynamoDB map and returned exactly as sent.');

export const CreatedAt = z.iso
  .datetime({ offset: false })
  .describe('When the item was created (RFC 3339, UTC).');

export const CreatedBy = z
  .string()
  .min(1)
  .nullable()
  .describe(
    'Who created the item: the subject (`sub`) of the access token its put carried. Null for items ' +
      'stored before the API required tokens.',
  );

export const Item = z
  .object({ object_id: ObjectId, data: ItemData, created_at: CreatedAt, created_by: CreatedBy })
  .strict()
  .meta({ id: 'Item' });
export type Item = z.infer<typeof Item>;

export const PutItemResponse = z
  .object({ object_id: ObjectId, created_at: CreatedAt })
  .strict()
  .meta({ id: 'PutItemResponse' });
export type PutItemResponse = z.infer<typeof PutItemResponse>;

export const DeleteItemResponse = z
  .object({ object_id: ObjectId, deleted: z.literal(true) })
  .strict()
  .meta({ id: 'DeleteItemResponse' });
export type DeleteItemResponse = z.infer<typeof DeleteItemResponse>;

export const ListItemsResponse = z
  .object({
    items: z.array(Item),
    count: z.int().min(0).describe('Number of items in this page.'),
    next_cursor: z
      .string()
      .nullable()
      .describe('Pass as `cursor` to get the next page; null on the last page.'),
  })
  .strict()
  .meta({ id: 'ListItemsResponse' });
export type ListItemsResponse = z.infer<typeof ListItemsResponse>;

export const ListItemsQuery = z.object({
  limit: strictInteger('limit', 1, MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .describe(
      `Page size: an integer from 1 to ${MAX_PAGE_SIZE} in plain digits (default ${DEFAULT_PAGE_SIZE}).`,
    ),
  cursor: singleValued(
    'cursor',
    z
      .string()
      .min(1, 'cursor must not be empty')
      .max(MAX_CURSOR_LENGTH, `cursor is longer than ${MAX_CURSOR_LENGTH} characters`),
  )
    .optional()
    .describe(
      'The `next_cursor` of the previous page. The API checks that it decodes to a cursor of this API ' +
        '(a valid key to resume after, base64url JSON); it is not signed, so a cursor built by hand ' +
        'resumes the scan after the key it names, which reveals nothing a list from the start would not.',
    ),
});
export type ListItemsQuery = z.infer<typeof ListItemsQuery>;

export const IdempotencyKeyHeader = z
  .string()
  .regex(IDEMPOTENCY_KEY_PATTERN)
  .describe(
    'Optional. Repeating a put with the same key and body returns the same object_id and creates nothing; ' +
      'the same key with another body is a 409. Choose a new value per logical operation, e.g. a UUID ' +
      'or `order-2026-0001`.',
  );
