import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';
import { HttpProblem } from '../shared/http-problem.ts';
import { problemFor } from '../shared/problem-mapping.ts';

/** The request id the envelope assigned, for code that only sees the Request. */
const requestIds = new WeakMap<Request, string>();

export function rememberRequestId(request: Request, requestId: string): void {
  requestIds.set(request, requestId);
}

function requestIdOf(request: Request): string {
  return requestIds.get(request) ?? 'unknown';
}

/**
 * Server failures are remembered by request (the framework may copy the Response),
 * so the access log line can name a 5xx's cause that the client never sees.
 */
const failures = new WeakMap<Request, unknown>();

export function failureOf(request: Request): unknown {
  return failures.get(request);
}

const CLIENT_CLOSED = new HttpProblem('ClientClosedRequest', 'The client closed the connection first.');

/** A problem+json Response for any failure of `request` (the HTTP side of problem-mapping.ts). */
export function problemResponse(error: unknown, request: Request): Response {
  // Whatever failed once the client had gone (its body read, typically) failed because it went.
  const failure = request.signal.aborted ? CLIENT_CLOSED : error;
  const problem = problemFor(failure, requestIdOf(request));
  const response = new Response(JSON.stringify(problem.body), {
    status: problem.status,
    headers: { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE },
  });
  if (problem.status >= 500) failures.set(request, error);
  return response;
}
