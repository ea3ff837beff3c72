import type { Server } from 'bun';
import { OPERATION_ROUTES } from '../../contracts/operation-routes.ts';
import { ShuttingDown } from '../../domain/errors.ts';
import type { CorsPolicy } from '../shared/cors.ts';
import { type Drain, drainOf } from '../shared/drain.ts';
import { lastResort } from '../shared/last-resort.ts';
import type { Logger } from '../shared/logger.ts';
import type { App } from './app.ts';
import { withEnvelope } from './envelope.ts';

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
  /** CORS_ALLOWED_ORIGINS: preflights answered here, headers on every response. Unset: no CORS. */
  readonly cors?: CorsPolicy | undefined;
}

/** A served app and its graceful stop. */
export interface ServedApp {
  readonly server: Server<undefined>;
  readonly drain: Drain;
}

/**
 * Serves the app with Bun. `port: 0` picks a free port (see `server.port`).
 * Once `drain` has begun, /ready answers 503 (the load balancer takes the
 * instance out) and every response carries `Connection: close`, so keep-alive
 * clients drop their sockets instead of reusing one the listener is about to close.
 */
export function serveApp(app: App, options: ServerOptions): ServedApp {
  let draining = false;
  const handle = withEnvelope(
    (request, path) => {
      if (draining && request.method === 'GET' && path === OPERATION_ROUTES.ready.path) {
        return Promise.resolve({ failure: new ShuttingDown(1), operation: OPERATION_ROUTES.ready.metric });
      }
      return app.handle(request, path);
    },
    options.logger,
    { cors: options.cors, closing: () => draining },
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
  return {
    server,
    drain: drainOf(server, () => {
      draining = true;
    }),
  };
}
