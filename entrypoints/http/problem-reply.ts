import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem-kinds.ts';
import { problemFor } from '../shared/problem-mapping.ts';
import type { Reply } from './envelope.ts';

/** A problem+json reply for any failure (the container's side of problem-mapping.ts). */
export function problemReply(failure: unknown, requestId: string): Reply {
  const problem = problemFor(failure, requestId);
  return {
    status: problem.status,
    body: JSON.stringify(problem.body),
    headers: { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE },
  };
}
