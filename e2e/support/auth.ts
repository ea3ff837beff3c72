import { TokenResponse } from '../../contracts/auth.ts';

/**
 * How the contract suite gets access tokens: OAuth 2.0 client credentials at AUTH_TOKEN_URL with
 * AUTH_CLIENT_ID / AUTH_CLIENT_SECRET. Against the local stack the suite starts (BASE_URL unset)
 * these default to the stack's own issuer and its `picus-local` client. AUTH_MODE=none runs the
 * suite against a target that checks no tokens (the authentication tests are then skipped).
 *
 * A second client (AUTH_OTHER_CLIENT_ID / AUTH_OTHER_CLIENT_SECRET; locally `picus-e2e-other`)
 * lets the suite show that idempotency keys belong to their caller; without it that test is
 * skipped, with the reason.
 */
export interface ClientCredentials {
  readonly id: string;
  readonly secret: string;
}

export interface E2eAuth {
  readonly mode: 'jwt' | 'none';
  readonly tokenUrl: string | undefined;
  readonly client: ClientCredentials | undefined;
  readonly otherClient: ClientCredentials | undefined;
}

/** The second local client, defined for the stack e2e/local-stack.ts starts. */
export const LOCAL_OTHER_CLIENT: ClientCredentials & { scopes: string[] } = {
  id: 'picus-e2e-other',
  secret: 'picus-e2e-other-secret',
  scopes: ['picus/read', 'picus/write', 'picus/delete'],
};

export function e2eAuth(baseURL: string, local: boolean): E2eAuth {
  const env = process.env;
  if (env.AUTH_MODE === 'none') {
    return { mode: 'none', tokenUrl: undefined, client: undefined, otherClient: undefined };
  }
  const credentials = (id: string | undefined, secret: string | undefined) =>
    id !== undefined && secret !== undefined ? { id, secret } : undefined;
  if (local) {
    return {
      mode: 'jwt',
      tokenUrl: env.AUTH_TOKEN_URL ?? `${baseURL}/oauth2/token`,
      client: credentials(
        env.AUTH_CLIENT_ID ?? 'picus-local',
        env.AUTH_CLIENT_SECRET ?? 'picus-local-secret',
      ),
      otherClient: credentials(
        env.AUTH_OTHER_CLIENT_ID ?? LOCAL_OTHER_CLIENT.id,
        env.AUTH_OTHER_CLIENT_SECRET ?? LOCAL_OTHER_CLIENT.secret,
      ),
    };
  }
  return {
    mode: 'jwt',
    tokenUrl: env.AUTH_TOKEN_URL,
    client: credentials(env.AUTH_CLIENT_ID, env.AUTH_CLIENT_SECRET),
    otherClient: credentials(env.AUTH_OTHER_CLIENT_ID, env.AUTH_OTHER_CLIENT_SECRET),
  };
}

const tokens = new Map<string, Promise<string>>();

/** An access token for `client` (with `scope`, else all its scopes), fetched once per worker. */
export function accessToken(auth: E2eAuth, client: ClientCredentials, scope?: string): Promise<string> {
  if (auth.tokenUrl === undefined) {
    return Promise.reject(
      new Error(
        'No token URL: set AUTH_TOKEN_URL, AUTH_CLIENT_ID and AUTH_CLIENT_SECRET (the deployment’s outputs), ' +
          'or AUTH_MODE=none for a target that checks no tokens.',
      ),
    );
  }
  const key = `${client.id} ${scope ?? ''}`;
  let token = tokens.get(key);
  if (token === undefined) {
    token = fetchToken(auth.tokenUrl, client, scope);
    tokens.set(key, token);
  }
  return token;
}

async function fetchToken(tokenUrl: string, client: ClientCredentials, scope?: string): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope !== undefined) form.set('scope', scope);
  const basic = Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString(
    'base64',
  );
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
    body: form,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${tokenUrl} refused client ${client.id}: ${response.status} ${text}`);
  return TokenResponse.parse(JSON.parse(text)).access_token;
}

/** The claims of a token (not verified: the suite only reads what the API will record). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}
