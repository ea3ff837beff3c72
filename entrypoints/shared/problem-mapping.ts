import type { Problem } from '../../contracts/problem.ts';
import { type DomainErrorKind, isDomainError, ShuttingDown, StoreUnavailable } from '../../domain/errors.ts';
import { AuthFailure, type AuthFailureKind, AuthUnavailable } from './auth/auth-failures.ts';
import { HttpProblem, type HttpProblemKind } from './http-problem.ts';
import { CLIENT_CLOSED_REQUEST } from './logger.ts';

/** A problem+json response, independent of the transport that will carry it. */
export interface ProblemResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Problem;
}

interface ProblemKind {
  readonly status: number;
  readonly title: string;
  /** `about:blank` when the status code alone explains the problem (RFC 9457 §4.2.1). */
  readonly type: string;
}

const problemType = (slug: string) => `urn:picus:problem:${slug}`;

/** The one table from failure kinds to HTTP. */
const PROBLEM_KINDS: Record<DomainErrorKind | HttpProblemKind | AuthFailureKind | 'Internal', ProblemKind> = {
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
  // nginx's convention for a request the client abandoned: not a server error, and no one reads it.
  ClientClosedRequest: { status: CLIENT_CLOSED_REQUEST, title: 'Client closed request', type: 'about:blank' },
  Internal: { status: 500, title: 'Internal server error', type: 'about:blank' },
};

const INTERNAL_DETAIL = 'The server failed to handle this request. It has been logged with its request_id.';

/**
 * Maps any failure to a problem response. Only domain and protocol errors speak
 * for themselves; anything else is a 500 with a fixed detail, so stack traces and
 * driver messages never reach a client.
 */
export function problemFor(error: unknown, requestId: string): ProblemResponse {
  const known = isDomainError(error) || error instanceof HttpProblem || error instanceof AuthFailure;
  const kind = known ? PROBLEM_KINDS[error.kind] : PROBLEM_KINDS.Internal;
  const headers: Record<string, string> = {};
  if (
    error instanceof StoreUnavailable ||
    error instanceof AuthUnavailable ||
    error instanceof ShuttingDown
  ) {
    headers['retry-after'] = String(error.retryAfterSeconds);
  }
  if (error instanceof AuthFailure && error.challenge !== undefined)
    headers['www-authenticate'] = error.challenge;
  if (error instanceof HttpProblem && error.allow.length > 0) headers.allow = error.allow.join(', ');
  return {
    status: kind.status,
    headers,
    body: {
      type: kind.type,
      title: kind.title,
      status: kind.status,
      detail: known ? error.message : INTERNAL_DETAIL,
      request_id: requestId,
    },
  };
}
