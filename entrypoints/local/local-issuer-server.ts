import { pathOf } from '../http/envelope.ts';
import { lastResort } from '../shared/last-resort.ts';
import { createLogger } from '../shared/logger.ts';
import { freePort } from './free-port.ts';
import {
  createLocalIssuer,
  DEFAULT_LOCAL_CLIENT,
  type LocalClient,
  type LocalIssuer,
} from './oauth-issuer.ts';

export interface LocalIssuerServer {
  readonly issuer: LocalIssuer;
  stop(): Promise<void>;
}

/**
 * The local OAuth 2.0 issuer on its own loopback port, for what runs the container without the
 * local stack's load balancer: the compiled-binary tests, the benchmark, the soak.
 */
export async function serveLocalIssuer(
  clients: readonly LocalClient[] = [DEFAULT_LOCAL_CLIENT],
): Promise<LocalIssuerServer> {
  const port = await freePort();
  const issuer = await createLocalIssuer({ issuer: `http://127.0.0.1:${port}`, clients });
  const server = Bun.serve({
    port,
    hostname: '127.0.0.1',
    development: false,
    error: lastResort(createLogger('warn')),
    fetch: (request) => issuer.handle(request, pathOf(request.url)) ?? new Response(null, { status: 404 }),
  });
  return { issuer, stop: () => server.stop(true) };
}
