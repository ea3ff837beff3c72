import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem-kinds.ts';
import { describeFailure, type Logger } from './logger.ts';
import { problemFor } from './problem-mapping.ts';

/**
 * Bun.serve's `error` option for every server we run: a failure that escaped every handler
 * still gets a problem+json 500 with a request id and an error log line, never Bun's own page
 * (which, in development mode, shows the working directory and source lines).
 */
export function lastResort(logger: Logger): (error: Error) => Response {
  return (error) => {
    const requestId = crypto.randomUUID();
    logger.event('error', 'a request failed outside every handler', {
      request_id: requestId,
      error: describeFailure(error),
    });
    const problem = problemFor(error, requestId);
    return new Response(JSON.stringify(problem.body), {
      status: problem.status,
      headers: {
        'content-type': PROBLEM_CONTENT_TYPE,
        'x-request-id': requestId,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      },
    });
  };
}
