import type { z } from 'zod';
import { IdempotencyConflict, ItemNotFound, ShuttingDown, StoreUnavailable } from '../domain/errors.ts';
import {
  IDEMPOTENCY_KEY_RULE,
  MAX_BODY_BYTES,
  MAX_DATA_DEPTH,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_KEY_BYTES,
  MAX_PAGE_SIZE,
  PAGE_SIZE_RULE,
} from '../domain/item-rules.ts';
import { WwwAuthenticateHeader } from './auth.ts';
import { HealthResponse, ReadyResponse } from './health.ts';
import {
  AllowHeader,
  IdempotentReplayedHeader,
  ItemKeyParams,
  JSON_CONTENT_TYPE,
  LocationHeader,
  PutItemBody,
  PutItemHeaders,
  RequestIdHeader,
  RetryAfterHeader,
} from './http.ts';
import { DeleteItemResponse, Item, ListItemsQuery, ListItemsResponse, PutItemResponse } from './item.ts';
import { OPERATION_ROUTES, type OperationRoute } from './operation-routes.ts';
import { Problem } from './problem.ts';
import {
  INTERNAL_DETAIL,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_KINDS,
  type ProblemKindName,
} from './problem-kinds.ts';
import { SCOPES, type Scope } from './scopes.ts';

/**
 * Every operation of the public API (the load balancer's API, DELETE included),
 * with the schema of each request part and of each response it can answer.
 * One table for three readers: the container app attaches the request schemas
 * to its routes, contracts/openapi.ts renders it as OpenAPI 3.1, and the contract
 * suite (e2e/) checks every real response against the entry for its status.
 */

export type MediaType = typeof JSON_CONTENT_TYPE | typeof PROBLEM_CONTENT_TYPE;

export interface HeaderSpec {
  readonly schema: z.ZodType<string>;
  /** Whether every response with this status carries the header. */
  readonly required: boolean;
}

export interface ResponseSpec {
  readonly description: string;
  readonly contentType: MediaType;
  readonly schema: z.ZodType;
  readonly headers: Readonly<Record<string, HeaderSpec>>;
  /** Named examples of the body (for problems, one per kind of problem this status can mean). */
  readonly examples: Readonly<Record<string, { readonly summary: string; readonly value: unknown }>>;
}

export interface RequestBodySpec {
  readonly contentType: typeof JSON_CONTENT_TYPE;
  readonly schema: z.ZodType;
  readonly maxBytes: number;
}

/** An operation: its route (contracts/operation-routes.ts), its schemas and its documentation. */
export interface OperationSpec extends OperationRoute {
  readonly tag: 'Items' | 'Health';
  readonly summary: string;
  readonly description: string;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly headers?: z.ZodObject;
  readonly body?: RequestBodySpec;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
}

const REQUEST_ID = 'b3c1f0de-7f6a-4c2b-9a51-1d2e3f4a5b6c';
const OBJECT_ID = '0b7e5a8c-3f2d-4e1a-9c6b-2d4f8a1e7c30';
const CREATED_AT = '2026-11-21T14:47:28.123Z';

const requestIdHeader: Record<string, HeaderSpec> = {
  'x-request-id': { schema: RequestIdHeader, required: true },
};

function ok<S extends z.ZodType>(
  description: string,
  schema: S,
  example: z.output<S>,
  headers: Record<string, HeaderSpec> = {},
) {
  return {
    description,
    contentType: JSON_CONTENT_TYPE,
    schema,
    headers: { ...requestIdHeader, ...headers },
    examples: { ok: { summary: description, value: example } },
  } satisfies ResponseSpec;
}

/** One kind of problem a status can mean, with the detail its example shows. */
interface ProblemExample {
  readonly kind: ProblemKindName;
  readonly detail: string;
}

/** `PayloadTooLarge` → `payload-too-large`: the example's name in the document. */
const exampleName = (kind: ProblemKindName) => kind.replace(/(?<=[a-z])(?=[A-Z])/g, '-').toLowerCase();

/** A problem response of the kinds given, which all mean one status (the kinds table says which). */
function problem(
  description: string,
  kinds: readonly ProblemExample[],
  headers: Record<string, HeaderSpec> = {},
) {
  const statuses = new Set(kinds.map(({ kind }) => PROBLEM_KINDS[kind].status));
  if (statuses.size !== 1) throw new Error(`"${description}" mixes statuses ${[...statuses].join(', ')}`);
  const examples: Record<string, { summary: string; value: Problem }> = {};
  for (const { kind, detail } of kinds) {
    const { status, title, type } = PROBLEM_KINDS[kind];
    examples[exampleName(kind)] = {
      summary: title,
      value: { type, title, status, detail, request_id: REQUEST_ID },
    };
  }
  return {
    description,
    contentType: PROBLEM_CONTENT_TYPE,
    schema: Problem,
    headers: { ...requestIdHeader, ...headers },
    examples,
  } satisfies ResponseSpec;
}

const notReady = problem(
  'The item store is unavailable (throttled, down or too slow), or this instance is shutting down; retry after `Retry-After` seconds.',
  [
    { kind: 'StoreUnavailable', detail: new StoreUnavailable(1).message },
    { kind: 'ShuttingDown', detail: new ShuttingDown(1).message },
  ],
  { 'retry-after': { schema: RetryAfterHeader, required: true } },
);

const storeOrAuthUnavailable = problem(
  "The item store, or the token issuer's signing keys, are unavailable; retry after `Retry-After` seconds.",
  [
    { kind: 'StoreUnavailable', detail: new StoreUnavailable(1).message },
    {
      kind: 'AuthUnavailable',
      detail: "The token issuer's signing keys cannot be fetched; the token could not be checked.",
    },
  ],
  { 'retry-after': { schema: RetryAfterHeader, required: true } },
);

const wwwAuthenticate = { 'www-authenticate': { schema: WwwAuthenticateHeader, required: true } };

const unauthorized = problem(
  'No bearer token, or one that is not valid (bad signature, expired, wrong issuer); `WWW-Authenticate` says which.',
  [
    {
      kind: 'AuthenticationRequired',
      detail: 'Send an OAuth 2.0 access token: Authorization: Bearer <token>.',
    },
    { kind: 'InvalidToken', detail: 'The access token is not valid: expired.' },
  ],
  wwwAuthenticate,
);

const forbidden = (scope: Scope) =>
  problem(
    `The token is valid but does not carry the \`${scope}\` scope.`,
    [{ kind: 'InsufficientScope', detail: `This operation needs the ${scope} scope.` }],
    wwwAuthenticate,
  );

const internal = problem('An unexpected failure; it is logged with the request_id.', [
  { kind: 'Internal', detail: INTERNAL_DETAIL },
]);

const invalidKey = problem(
  `The key is empty, longer than ${MAX_KEY_BYTES} bytes of UTF-8, or not valid percent-encoded UTF-8.`,
  [{ kind: 'InvalidKey', detail: `The key must be at most ${MAX_KEY_BYTES} bytes of UTF-8.` }],
);

const itemNotFound = problem('No item has this key.', [
  { kind: 'ItemNotFound', detail: new ItemNotFound(OBJECT_ID).message },
]);

const exampleItem: Item = {
  object_id: OBJECT_ID,
  data: { name: 'Ada', tags: ['math', 'engines'], born: 1815, nested: { ok: true } },
  created_at: CREATED_AT,
  created_by: 'picus-local',
};

export const operations = {
  health: {
    ...OPERATION_ROUTES.health,
    tag: 'Health',
    summary: 'Liveness',
    description: 'Answers 200 while the process serves requests; it does not touch the store.',
    responses: {
      200: ok('The process is alive.', HealthResponse, { status: 'ok' }),
      500: internal,
    },
  },
  ready: {
    ...OPERATION_ROUTES.ready,
    tag: 'Health',
    summary: 'Readiness',
    description:
      'Answers 200 when the item store answers, 503 otherwise (and while this instance shuts down, so a load balancer takes it out first).',
    responses: {
      200: ok('The item store answers.', ReadyResponse, { status: 'ready' }),
      500: internal,
      503: notReady,
    },
  },
  listItems: {
    ...OPERATION_ROUTES.listItems,
    tag: 'Items',
    summary: 'List items, a page at a time',
    description:
      'Pages through every item in no particular order. Pass the `next_cursor` of a page as `cursor` ' +
      'to get the next one; following cursors until `next_cursor` is null yields every item that ' +
      'existed throughout exactly once. A page may hold fewer than `limit` items, even none, ' +
      'before the last page.',
    query: ListItemsQuery,
    responses: {
      200: ok('One page of items.', ListItemsResponse, {
        items: [exampleItem],
        count: 1,
        next_cursor: 'eyJvYmplY3RfaWQiOiIwYjdlNWE4YyJ9',
      }),
      400: problem(
        `\`limit\` is not an integer from 1 to ${MAX_PAGE_SIZE} in plain digits, a parameter is given more than once, or \`cursor\` does not decode to a cursor of this API.`,
        [{ kind: 'InvalidPageRequest', detail: PAGE_SIZE_RULE }],
      ),
      401: unauthorized,
      403: forbidden(SCOPES.read),
      500: internal,
      503: storeOrAuthUnavailable,
    },
  },
  putItem: {
    ...OPERATION_ROUTES.putItem,
    tag: 'Items',
    summary: 'Store a new item',
    description:
      'Stores the JSON object under a new `object_id` and answers where to read it. With an ' +
      '`Idempotency-Key`, a retry with the same key and body creates nothing and answers the same ' +
      '`object_id` (201 again, with `idempotent-replayed: true`); the same key with another body is a 409. ' +
      'Idempotency keys belong to the caller: another client using the same key creates its own item. ' +
      "The item records its creator (the token's subject) as `created_by`.",
    headers: PutItemHeaders,
    body: { contentType: JSON_CONTENT_TYPE, schema: PutItemBody, maxBytes: MAX_BODY_BYTES },
    responses: {
      201: ok(
        'The item was stored (or, with a replayed Idempotency-Key, had been).',
        PutItemResponse,
        { object_id: OBJECT_ID, created_at: CREATED_AT },
        {
          location: { schema: LocationHeader, required: true },
          'idempotent-replayed': { schema: IdempotentReplayedHeader, required: false },
        },
      ),
      400: problem(
        `The body is not valid UTF-8 JSON, or the Idempotency-Key is not 1..${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII.`,
        [
          { kind: 'MalformedRequest', detail: 'The body is not valid JSON.' },
          { kind: 'InvalidIdempotencyKey', detail: IDEMPOTENCY_KEY_RULE },
        ],
      ),
      409: problem('The Idempotency-Key was already used with a different body.', [
        {
          kind: 'IdempotencyConflict',
          detail: new IdempotencyConflict(OBJECT_ID).message,
        },
      ]),
      401: unauthorized,
      403: forbidden(SCOPES.write),
      413: problem(`The body is larger than ${MAX_BODY_BYTES / 1024} KiB.`, [
        { kind: 'PayloadTooLarge', detail: `The body must be at most ${MAX_BODY_BYTES} bytes.` },
      ]),
      415: problem('The Content-Type is not JSON (`application/json` or `application/*+json`, UTF-8).', [
        {
          kind: 'UnsupportedMediaType',
          detail: 'Send the item as JSON with Content-Type: application/json.',
        },
      ]),
      422: problem(
        `The JSON is not an object, is nested deeper than ${MAX_DATA_DEPTH} levels, or holds a value the store cannot keep exactly.`,
        [{ kind: 'InvalidItem', detail: 'The item must be a JSON object.' }],
      ),
      500: internal,
      503: storeOrAuthUnavailable,
    },
  },
  getItem: {
    ...OPERATION_ROUTES.getItem,
    tag: 'Items',
    summary: 'Read an item',
    description:
      'Answers the item stored under the key (percent-decoded), with its data exactly as it was put.',
    params: ItemKeyParams,
    responses: {
      200: ok('The item.', Item, exampleItem),
      400: invalidKey,
      401: unauthorized,
      403: forbidden(SCOPES.read),
      404: itemNotFound,
      500: internal,
      503: storeOrAuthUnavailable,
    },
  },
  deleteItem: {
    ...OPERATION_ROUTES.deleteItem,
    tag: 'Items',
    summary: 'Delete an item',
    description:
      'Deletes the item stored under the key (percent-decoded). Served by a Lambda function behind ' +
      'the load balancer, not by the container: call it through the load balancer.',
    params: ItemKeyParams,
    responses: {
      200: ok('The item was deleted.', DeleteItemResponse, { object_id: OBJECT_ID, deleted: true }),
      400: invalidKey,
      401: unauthorized,
      403: forbidden(SCOPES.delete),
      404: itemNotFound,
      500: internal,
      503: storeOrAuthUnavailable,
    },
  },
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof operations;

export const operationList: readonly OperationSpec[] = Object.values(operations);

/** What any path answers with a method its resource does not accept (405) or when no resource lives there (404). */
export const routeProblems = {
  404: problem('No resource lives at this path.', [{ kind: 'NotFound', detail: 'No resource at /nowhere.' }]),
  405: problem(
    'The resource does not accept this method; `Allow` lists the ones it does.',
    [{ kind: 'MethodNotAllowed', detail: 'PUT is not allowed here.' }],
    { allow: { schema: AllowHeader, required: true } },
  ),
} as const;
