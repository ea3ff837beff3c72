import { callerFields, describeFailure, type Logger } from '../shared/access-log.ts';
import { type CorsPolicy, corsHeaders, preflight } from '../shared/cors.ts';
import { requestIdFrom } from '../shared/request-id.ts';
import { failureOf, problemResponse, rememberRequestId } from './problem-response.ts';
import { callerOf } from './request-caller.ts';

/** Headers every response of the API carries. */
const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

export type FetchHandler = (request: Request) => Promise<Response>;

export interface EnvelopeOptions {
  /** Called last on every response, e.g. to add `Connection: close` while draining. */
  readonly finish?: (response: Response) => Response;
  /**
   * Cross-origin access: preflights are answered before the app, and the headers go on every
   * response (errors included) to an allowed origin.
   */
  readonly cors?: CorsPolicy | undefined;
}

/**
 * Wraps the app's handler with what every response needs whatever produced it:
 * the request id, the common headers, errors as problem+json, and one log line.
 * Keeping this outside the framework means no error path can skip it.
 * It sits on every request's path, so it is one promise hop and builds a log
 * entry only when the logger will write it (the benchmark measures both levels).
 */
export function withEnvelope(
  handle: FetchHandler,
  logger: Logger,
  options: EnvelopeOptions = {},
): FetchHandler {
  const { finish, cors } = options;
  return (request) => {
    const started = performance.now();
    const headers = request.headers;
    const requestId = requestIdFrom((name) => headers.get(name));
    rememberRequestId(request, requestId);
    const complete = (response: Response): Response => {
      const out = response.headers;
      out.set('x-request-id', requestId);
      for (const name in COMMON_HEADERS) out.set(name, COMMON_HEADERS[name] as string);
      if (cors !== undefined) {
        for (const [name, value] of Object.entries(corsHeaders(cors, headers.get('origin'))))
          out.set(name, value);
      }
      if (logger.logsRequest(response.status)) {
        logger.request({
          request_id: requestId,
          method: request.method,
          path: pathOf(request.url),
          status: response.status,
          latency_ms: Math.round((performance.now() - started) * 100) / 100,
          ...callerFields(callerOf(request)),
          error: response.status >= 500 ? describeFailure(failureOf(request)) : undefined,
        });
      }
      return finish ? finish(response) : response;
    };
    let pending: Promise<Response>;
    try {
      // A CORS preflight is answered here, before the app: it is about the API, not a route.
      const answer =
        cors !== undefined && request.method === 'OPTIONS'
          ? preflight(cors, request.method, pathOf(request.url), (name) => headers.get(name))
          : undefined;
      pending = answer !== undefined ? Promise.resolve(new Response(null, answer)) : handle(request);
    } catch (error) {
      return Promise.resolve(complete(problemResponse(error, request)));
    }
    return pending.then(complete, (error: unknown) => complete(problemResponse(error, request)));
  };
}

/**
 * The path without the query string (which may carry cursors; keep logs short). Without a Host
 * header Bun's `request.url` is the request target alone (`/picus/x`), so that form is taken as is.
 */
export function pathOf(url: string): string {
  const start = url.startsWith('/') ? 0 : url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  const query = url.indexOf('?', start);
  return query < 0 ? url.slice(start) : url.slice(start, query);
}
