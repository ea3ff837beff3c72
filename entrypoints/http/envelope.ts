import { describeFailure, type Logger } from '../shared/access-log.ts';
import { requestIdFrom } from '../shared/request-id.ts';
import { failureOf, problemResponse, rememberRequestId } from './problem-response.ts';

/** Headers every response of the API carries. */
const COMMON_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * Wraps the app's handler with what every response needs whatever produced it:
 * the request id, the common headers, errors as problem+json, and one log line.
 * Keeping this outside the framework means no error path can skip it.
 */
export function withEnvelope(handle: FetchHandler, logger: Logger): FetchHandler {
  return async (request) => {
    const started = performance.now();
    const requestId = requestIdFrom((name) => request.headers.get(name));
    rememberRequestId(request, requestId);
    let response: Response;
    try {
      response = await handle(request);
    } catch (error) {
      response = problemResponse(error, request);
    }
    const headers = response.headers;
    headers.set('x-request-id', requestId);
    for (const name in COMMON_HEADERS) headers.set(name, COMMON_HEADERS[name] as string);
    logger.request({
      request_id: requestId,
      method: request.method,
      path: pathOf(request.url),
      status: response.status,
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      error: response.status >= 500 ? describeFailure(failureOf(request)) : undefined,
    });
    return response;
  };
}

/** The path without the query string (which may carry cursors; keep logs short). */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const query = url.indexOf('?', start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}
