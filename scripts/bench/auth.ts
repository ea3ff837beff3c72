/**
 * Every picus process checks tokens, as in production, from a local issuer that lives for the
 * whole run: `env` is its settings for a process, `headers` what wrk and the seeding requests send.
 */
import { TokenResponse } from '../../contracts/auth.ts';
import { serveLocalIssuer } from '../../entrypoints/local/local-issuer-server.ts';
import { DEFAULT_LOCAL_CLIENT } from '../../entrypoints/local/oauth-issuer.ts';

export interface RunAuth {
  readonly env: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
}

/** A client-credentials token of the default local client (every scope). */
export async function tokenFrom(tokenUrl: string): Promise<string> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEFAULT_LOCAL_CLIENT.id,
      client_secret: DEFAULT_LOCAL_CLIENT.secret,
    }),
  });
  return TokenResponse.parse(await response.json()).access_token;
}

export async function startRunIssuer(): Promise<RunAuth & { stop(): Promise<void> }> {
  const server = await serveLocalIssuer();
  return {
    env: { AUTH_MODE: 'jwt', AUTH_ISSUER: server.issuer.issuer },
    headers: { Authorization: `Bearer ${await tokenFrom(server.issuer.tokenUrl)}` },
    stop: () => server.stop(),
  };
}
