import type { Server } from 'bun';
import type { Logger } from '../shared/access-log.ts';
import type { App } from './app.ts';
import { withEnvelope } from './envelope.ts';

export interface ServerOptions {
  readonly port: number;
  readonly hostname: string;
  readonly logger: Logger;
}

/** Serves the app with Bun. `port: 0` picks a free port (see `server.port`). */
export function serveApp(app: App, options: ServerOptions): Server<undefined> {
  const fetch = withEnvelope((request) => app.handle(request), options.logger);
  return Bun.serve({
    port: options.port,
    hostname: options.hostname,
    fetch,
    // Bodies over the API's limit are refused by our reader with a problem+json 413;
    // this only bounds what Bun buffers for a client that ignores that answer.
    maxRequestBodySize: 1024 * 1024,
    idleTimeout: 30,
  });
}

/**
 * Graceful stop: refuse new connections, let in-flight requests finish within
 * `timeoutMs`, then close whatever is left. Resolves true when nothing was cut off.
 */
export async function drain(server: Server<undefined>, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const finished = server.stop(false).then(() => true as const);
  const clean = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  if (!clean) await server.stop(true);
  return clean;
}
