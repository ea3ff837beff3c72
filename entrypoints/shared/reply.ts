import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem-kinds.ts';
import { problemFor } from './problem-mapping.ts';

/**
 * An answer as data, from either backend: the container's envelope makes it one Response with
 * every header at once, the Lambda an ALB result.
 */
export interface Reply {
  readonly status: number;
  /** The body's text: `application/json` unless `headers` names another content type. */
  readonly body: string | null;
  /** What the operation adds (`location`, `retry-after`…) to the headers every response carries. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** A problem+json reply for any failure: problem-mapping.ts's answer, serialized. Its headers are its own. */
export function problemReply(
  failure: unknown,
  requestId: string,
): Reply & { readonly body: string; readonly headers: Record<string, string> } {
  const problem = problemFor(failure, requestId);
  return {
    status: problem.status,
    body: JSON.stringify(problem.body),
    headers: { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE },
  };
}
