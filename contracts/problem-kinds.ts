/**
 * Every kind of problem the API answers with: its status, title and `type` URI. One table, read
 * by the error mapping (entrypoints/shared/problem-mapping.ts), which turns a failure of a kind
 * into its response, and by the operations table, whose documented examples name kinds.
 */
/** The media type of every error response (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemKind {
  readonly status: number;
  readonly title: string;
  /** `about:blank` when the status code alone explains the problem (RFC 9457 §4.2.1). */
  readonly type: string;
}

/** The status logged for a request its client abandoned (nginx's convention; never sent). */
export const CLIENT_CLOSED_REQUEST = 499;

const problemType = (slug: string) => `urn:picus:problem:${slug}`;

export const PROBLEM_KINDS = {
  ItemNotFound: { status: 404, title: 'Item not found', type: problemType('item-not-found') },
  InvalidKey: { status: 400, title: 'Invalid key', type: problemType('invalid-key') },
  InvalidItem: { status: 422, title: 'Invalid item', type: problemType('invalid-item') },
  InvalidPageRequest: {
    status: 400,
    title: 'Invalid page request',
    type: problemType('invalid-page-request'),
  },
  InvalidIdempotencyKey: {
    status: 400,
    title: 'Invalid Idempotency-Key',
    type: problemType('invalid-idempotency-key'),
  },
  IdempotencyConflict: {
    status: 409,
    title: 'Idempotency-Key reused with another body',
    type: problemType('idempotency-conflict'),
  },
  StoreUnavailable: { status: 503, title: 'Service unavailable', type: problemType('store-unavailable') },
  ShuttingDown: { status: 503, title: 'Service unavailable', type: problemType('shutting-down') },
  AuthenticationRequired: {
    status: 401,
    title: 'Authentication required',
    type: problemType('authentication-required'),
  },
  InvalidToken: { status: 401, title: 'Invalid token', type: problemType('invalid-token') },
  InsufficientScope: { status: 403, title: 'Insufficient scope', type: problemType('insufficient-scope') },
  AuthUnavailable: { status: 503, title: 'Service unavailable', type: problemType('auth-unavailable') },
  MalformedRequest: { status: 400, title: 'Bad request', type: problemType('malformed-request') },
  UnsupportedMediaType: { status: 415, title: 'Unsupported media type', type: 'about:blank' },
  PayloadTooLarge: { status: 413, title: 'Content too large', type: 'about:blank' },
  NotFound: { status: 404, title: 'Not found', type: 'about:blank' },
  MethodNotAllowed: { status: 405, title: 'Method not allowed', type: 'about:blank' },
  BadGateway: { status: 502, title: 'Bad gateway', type: 'about:blank' },
  OriginNotAllowed: { status: 403, title: 'Origin not allowed', type: problemType('origin-not-allowed') },
  // A request the client abandoned: not a server error, and no one reads it.
  ClientClosedRequest: { status: CLIENT_CLOSED_REQUEST, title: 'Client closed request', type: 'about:blank' },
  Internal: { status: 500, title: 'Internal server error', type: 'about:blank' },
} as const satisfies Record<string, ProblemKind>;

export type ProblemKindName = keyof typeof PROBLEM_KINDS;

/** What a failure of no known kind says (never its own message: that may hold driver text). */
export const INTERNAL_DETAIL =
  'The server failed to handle this request. It has been logged with its request_id.';
