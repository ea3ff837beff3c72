import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem-kinds.ts';
import { problemFor } from '../shared/problem-mapping.ts';

/** A problem+json Response for any failure (the Fetch API side of problem-mapping.ts). */
export function problemResponse(failure: unknown, requestId: string): Response {
  const problem = problemFor(failure, requestId);
  return new Response(JSON.stringify(problem.body), {
    status: problem.status,
    headers: { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE },
  });
}
