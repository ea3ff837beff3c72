import { JSON_CONTENT_TYPE } from '../../contracts/http.ts';
import type { Caller } from '../shared/auth/caller.ts';
import { type CorsPolicy, preflight } from '../shared/cors.ts';
import { HttpProblem } from '../shared/http-problem.ts';
import type { Logger } from '../shared/logger.ts';
import { problemReply, type Reply } from '../shared/reply.ts';
import { requestIdFrom } from '../shared/request-id.ts';
import { logRequest } from '../shared/request-log.ts';
import type { RequestMeasures } from '../shared/request-metrics.ts';
import { responseHeaders } from '../shared/response-headers.ts';

/** What the app learnt of a request besides its answer: who called, and what it measured. */
export interface RequestFacts extends RequestMeasures {
  /** Who a token proved the caller to be (for refusals too, when the token named someone). */
  readonly caller?: Caller | undefined;
}

/**
 * The app's answer: a reply (the API's operations), a Response (what a framework built: the
 * docs), or the failure the envelope turns into a problem.
 */
export type Answer = RequestFacts &
  ({ readonly reply: Reply } | { readonly response: Response } | { readonly failure: unknown });

/** The app as the envelope drives it, given the request's path (without the query). */
export type AppHandler = (request: Request, path: string) => Promise<Answer>;

export type FetchHandler = (request: Request) => Promise<Response>;

export interface EnvelopeOptions {
  /** Whether responses should close their connection now (a draining server's keep-alive clients). */
  readonly closing?: () => boolean;
  /**
   * Cross-origin access: preflights are answered before the app, and the headers go on every
   * response (errors included) to an allowed origin.
   */
  readonly cors?: CorsPolicy | undefined;
}

const CLIENT_CLOSED = new HttpProblem('ClientClosedRequest', 'The client closed the connection first.');

/**
 * Wraps the app's handler with what every response needs whatever produced it:
 * the request id, the common headers, errors as problem+json, and one log line.
 * Every failure reaches this one place (the app rethrows what it cannot answer), so the
 * request id, the failure and the caller are plain values here. Keeping this outside the
 * framework means no error path can skip it. It sits on every request's path, so it is one
 * promise hop, builds each response once, and builds a log entry only when the logger will
 * write it (the benchmark measures both levels).
 */
export function withEnvelope(
  handle: AppHandler,
  logger: Logger,
  options: EnvelopeOptions = {},
): FetchHandler {
  const { closing, cors } = options;
  return (request) => {
    const startedAt = performance.now();
    const headers = request.headers;
    const requestId = requestIdFrom((name) => headers.get(name));
    const path = pathOf(request.url);
    const complete = (answer: Reply | Response, facts: RequestFacts, failure?: unknown): Response => {
      const added = responseHeaders(requestId, cors, cors === undefined ? null : headers.get('origin'));
      if (closing?.() === true) added.connection = 'close';
      let response: Response;
      if (answer instanceof Response) {
        response = answer;
        const out = response.headers;
        for (const name in added) out.set(name, added[name] as string);
      } else {
        if (answer.headers !== undefined) Object.assign(added, answer.headers);
        if (answer.body !== null) added['content-type'] ??= JSON_CONTENT_TYPE;
        response = new Response(answer.body, { status: answer.status, headers: added });
      }
      const { caller, operation, storeMs, replayed } = facts;
      logRequest(logger, {
        requestId,
        method: request.method,
        path,
        status: response.status,
        startedAt,
        failure,
        caller,
        operation,
        storeMs,
        replayed,
      });
      return response;
    };
    const fail = (error: unknown, facts: RequestFacts): Response => {
      // Whatever failed once the client had gone (its body read, typically) failed because it went.
      const failure = request.signal.aborted ? CLIENT_CLOSED : error;
      return complete(problemReply(failure, requestId), facts, error);
    };
    let pending: Promise<Answer>;
    try {
      // A CORS preflight is answered here, before the app: it is about the API, not a route.
      const answer =
        cors !== undefined && request.method === 'OPTIONS'
          ? preflight(cors, request.method, path, (name) => headers.get(name))
          : undefined;
      if (answer !== undefined) return Promise.resolve(complete({ ...answer, body: null }, {}));
      pending = handle(request, path);
    } catch (error) {
      return Promise.resolve(fail(error, {}));
    }
    return pending.then(
      (answer) =>
        'reply' in answer
          ? complete(answer.reply, answer)
          : 'response' in answer
            ? complete(answer.response, answer)
            : fail(answer.failure, answer),
      (error: unknown) => fail(error, {}),
    );
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
