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
    fetch: (request) =>
      issuer.handle(request, new URL(request.url).pathname) ?? new Response(null, { status: 404 }),
  });
  return { issuer, stop: () => server.stop(true) };
}
