import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';
import { problemFor } from '../shared/problem-mapping.ts';

/** The request id the envelope assigned, for code that only sees the Request. */
const requestIds = new WeakMap<Request, string>();

export function rememberRequestId(request: Request, requestId: string): void {
  requestIds.set(request, requestId);
}

export function requestIdOf(request: Request): string {
  return requestIds.get(request) ?? 'unknown';
}

/** Failures are remembered by response, so the access log can name a 5xx's cause. */
const failures = new WeakMap<Response, unknown>();

export function failureOf(response: Response): unknown {
  return failures.get(response);
}

/** A problem+json Response for any failure (the HTTP side of problem-mapping.ts). */
export function problemResponse(error: unknown, requestId: string): Response {
  const problem = problemFor(error, requestId);
  const response = new Response(JSON.stringify(problem.body), {
    status: problem.status,
    headers: { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE },
  });
  if (problem.status >= 500) failures.set(response, error);
  return response;
}
