import type { Problem } from '../../contracts/problem.ts';
import { INTERNAL_DETAIL, PROBLEM_KINDS, type ProblemKind } from '../../contracts/problem-kinds.ts';
import { type DomainErrorKind, isDomainError, ShuttingDown, StoreUnavailable } from '../../domain/errors.ts';
import { AuthFailure, type AuthFailureKind, AuthUnavailable } from './auth/auth-failures.ts';
import { HttpProblem, type HttpProblemKind } from './http-problem.ts';

/** A problem+json response, independent of the transport that will carry it. */
export interface ProblemResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Problem;
}

/** Every failure kind the code can raise has its row in the one table of problem kinds. */
const KINDS: Readonly<Record<DomainErrorKind | HttpProblemKind | AuthFailureKind | 'Internal', ProblemKind>> =
  PROBLEM_KINDS;

/**
 * Maps any failure to a problem response. Only domain and protocol errors speak
 * for themselves; anything else is a 500 with a fixed detail, so stack traces and
 * driver messages never reach a client.
 */
export function problemFor(error: unknown, requestId: string): ProblemResponse {
  const known = isDomainError(error) || error instanceof HttpProblem || error instanceof AuthFailure;
  const kind = known ? KINDS[error.kind] : KINDS.Internal;
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
