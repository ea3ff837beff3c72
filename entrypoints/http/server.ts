import type { Server } from 'bun';
import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';
import type { Logger } from '../shared/access-log.ts';
import { lastResort } from '../shared/last-resort.ts';
import type { App } from './app.ts';
import { pathOf, withEnvelope } from './envelope.ts';

/**
 * The most request-header bytes the container accepts: the ALB's own limit for a whole header
 * block (64 KiB), so whatever the ALB forwards the container reads. Bun's default is 16 KiB and
 * is a process flag (`--max-http-header-size`), set where the container is built and launched.
 */
export const MAX_REQUEST_HEADER_BYTES = 64 * 1024;
export const MAX_REQUEST_HEADER_FLAG = `--max-http-header-size=${MAX_REQUEST_HEADER_BYTES}`;

export interface ServerOptions {
  readonly port: number;
  readonly hostname: string;
  readonly logger: Logger;
}

/** Per-server shutdown state, set by `drain` and read by the request path. */
interface DrainState {
  draining: boolean;
}
const drainStates = new WeakMap<Server<undefined>, DrainState>();

/** Marks the bodiless 503 the envelope sees for /ready while draining (body added after it). */
const shuttingDown = new WeakSet<Response>();

/**
 * Serves the app with Bun. `port: 0` picks a free port (see `server.port`).
 * Once `drain` has begun, /ready answers 503 (the load balancer takes the
 * instance out) and every response carries `Connection: close`, so keep-alive
 * clients drop their sockets instead of reusing one the listener is about to close.
 */
export function serveApp(app: App, options: ServerOptions): Server<undefined> {
  const state: DrainState = { draining: false };
  const handle = withEnvelope(
    (request) => {
      if (state.draining && request.method === 'GET' && pathOf(request.url) === '/ready') {
        const response = new Response(null, { status: 503, headers: { 'retry-after': '1' } });
        shuttingDown.add(response);
        return Promise.resolve(response);
      }
      return app.handle(request);
    },
    options.logger,
    {
      finish: (response) => {
        if (!state.draining) return response;
        const answer = shuttingDown.has(response) ? shuttingDownProblem(response) : response;
        answer.headers.set('connection', 'close');
        return answer;
      },
    },
  );
  const server = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    fetch: handle,
    // Bodies over the API's limit are refused by our reader with a problem+json 413, from the
    // declared length or while streaming; Bun's own bare 413 would pre-empt it, so its limit sits
    // far above (Bun streams bodies to the handler and never buffers them whole).
    maxRequestBodySize: 1024 * 1024 * 1024,
    idleTimeout: 30,
    development: false,
    error: lastResort(options.logger),
  });
  drainStates.set(server, state);
  return server;
}

/** The /ready answer of a draining instance, with the request id the envelope chose. */
function shuttingDownProblem(response: Response): Response {
  const body = {
    type: 'about:blank',
    title: 'Service unavailable',
    status: 503,
    detail: 'This instance is shutting down.',
    request_id: response.headers.get('x-request-id') ?? 'unknown',
  };
  const headers = new Headers(response.headers);
  headers.set('content-type', PROBLEM_CONTENT_TYPE);
  return new Response(JSON.stringify(body), { status: 503, headers });
}

export interface DrainOptions {
  /**
   * How long to keep serving (with /ready at 503 and `Connection: close`) before
   * closing the listener, so a load balancer that health-checks /ready takes the
   * instance out first. Counted inside `timeoutMs`, and at most half of it.
   */
  readonly noticeMs?: number;
}

/**
 * Graceful stop: announce the shutdown (see `serveApp`), wait `noticeMs`, refuse
 * new connections, let in-flight requests finish within what is left of
 * `timeoutMs`, then close whatever is left. Resolves true when nothing was cut off.
 */
export async function drain(
  server: Server<undefined>,
  timeoutMs: number,
  options: DrainOptions = {},
): Promise<boolean> {
  const started = performance.now();
  const state = drainStates.get(server);
  if (state) state.draining = true;
  const noticeMs = Math.min(Math.max(0, options.noticeMs ?? 0), timeoutMs / 2);
  if (noticeMs > 0) await Bun.sleep(noticeMs);
  const remainingMs = Math.max(1, timeoutMs - (performance.now() - started));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), remainingMs);
  });
  const finished = server.stop(false).then(() => true as const);
  const clean = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  if (!clean) await server.stop(true);
  return clean;
}
