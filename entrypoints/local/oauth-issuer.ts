import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { z } from 'zod';
import type { TokenError, TokenResponse } from '../../contracts/auth.ts';
import { ALL_SCOPES, isScope, type Scope } from '../../contracts/scopes.ts';

/**
 * The local stack's OAuth 2.0 authorization server, standing in for Cognito: the client
 * credentials grant (RFC 6749 §4.4) at POST /oauth2/token, its signing keys at
 * /.well-known/jwks.json and its metadata at /.well-known/openid-configuration. It signs
 * RS256 access tokens shaped like Cognito's (`client_id`, `scope`, `token_use: access`, no
 * `aud`), so the app verifies them exactly as it verifies Cognito's in AWS.
 * The key pair is made at start: tokens do not outlive the stack.
 */

export const ISSUER_PATHS = {
  token: '/oauth2/token',
  jwks: '/.well-known/jwks.json',
  metadata: '/.well-known/openid-configuration',
} as const;

export interface LocalClient {
  readonly id: string;
  readonly secret: string;
  readonly scopes: readonly Scope[];
}

export const DEFAULT_LOCAL_CLIENT: LocalClient = {
  id: 'picus-local',
  secret: 'picus-local-secret',
  scopes: ALL_SCOPES,
};

const LocalClients = z.array(
  z.object({
    id: z.string().regex(/^[\x21-\x7e]{1,128}$/),
    secret: z.string().min(1).max(256),
    scopes: z.array(z.string().refine(isScope, { message: `a scope is one of ${ALL_SCOPES.join(', ')}` })),
  }),
);

/** The clients the issuer knows: the default one plus PICUS_LOCAL_CLIENTS (JSON), checked. */
export function localClients(json: string | undefined): LocalClient[] {
  if (json === undefined || json.trim() === '') return [DEFAULT_LOCAL_CLIENT];
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('Invalid configuration: PICUS_LOCAL_CLIENTS: not JSON');
  }
  const result = LocalClients.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: PICUS_LOCAL_CLIENTS: ${problems}`);
  }
  const extra = result.data as LocalClient[];
  const ids = [DEFAULT_LOCAL_CLIENT.id, ...extra.map((c) => c.id)];
  if (new Set(ids).size !== ids.length) {
    throw new Error(
      'Invalid configuration: PICUS_LOCAL_CLIENTS: client ids must be unique (picus-local is taken)',
    );
  }
  return [DEFAULT_LOCAL_CLIENT, ...extra];
}

export interface LocalIssuerOptions {
  /** The `iss` of its tokens and the base of its endpoints, e.g. http://localhost:8080. */
  readonly issuer: string;
  readonly clients: readonly LocalClient[];
  readonly tokenLifetimeSeconds?: number;
}

export interface LocalIssuer {
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  /** The answer for an issuer path, or undefined for any other path. */
  handle(request: Request, path: string): Promise<Response> | undefined;
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export async function createLocalIssuer(options: LocalIssuerOptions): Promise<LocalIssuer> {
  const issuer = options.issuer.replace(/\/+$/, '');
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks: { keys: JWK[] } = { keys: [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }] };
  const clients = new Map(options.clients.map((c) => [c.id, c]));
  const tokenUrl = `${issuer}${ISSUER_PATHS.token}`;
  const jwksUrl = `${issuer}${ISSUER_PATHS.jwks}`;
  const metadata = {
    issuer,
    token_endpoint: tokenUrl,
    jwks_uri: jwksUrl,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...ALL_SCOPES],
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };

  const token = async (request: Request): Promise<Response> => {
    const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/x-www-form-urlencoded') {
      return tokenError(400, 'invalid_request', 'Send the request as application/x-www-form-urlencoded.');
    }
    const form = new URLSearchParams(await request.text());
    for (const name of new Set(form.keys())) {
      if (form.getAll(name).length > 1)
        return tokenError(400, 'invalid_request', `${name} is given more than once.`);
    }
    const grant = form.get('grant_type');
    if (grant === null) return tokenError(400, 'invalid_request', 'grant_type is missing.');
    if (grant !== 'client_credentials') {
      return tokenError(400, 'unsupported_grant_type', 'Only client_credentials is supported.');
    }
    const credentials = clientCredentials(request.headers.get('authorization'), form);
    if ('error' in credentials) return credentials.error;
    const client = clients.get(credentials.id);
    if (client === undefined || !sameSecret(client.secret, credentials.secret)) {
      return tokenError(401, 'invalid_client', 'Unknown client or wrong secret.', credentials.basic);
    }
    const requested = form.get('scope');
    const scopes = requested === null ? [...client.scopes] : requested.split(' ').filter(Boolean);
    const refused = scopes.filter((s) => !(client.scopes as readonly string[]).includes(s));
    if (scopes.length === 0 || refused.length > 0) {
      const detail = refused.length > 0 ? `Not allowed for this client: ${refused.join(' ')}.` : 'No scope.';
      return tokenError(400, 'invalid_scope', detail);
    }
    const scope = scopes.join(' ');
    const accessToken = await new SignJWT({ client_id: client.id, scope, token_use: 'access' })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(client.id)
      .setIssuedAt()
      .setExpirationTime(`${lifetime}s`)
      .setJti(randomUUID())
      .sign(privateKey);
    const body: TokenResponse = {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: lifetime,
      scope,
    };
    return Response.json(body, { headers: NO_STORE });
  };

  return {
    issuer,
    tokenUrl,
    jwksUrl,
    handle(request, path) {
      if (path === ISSUER_PATHS.token) {
        if (request.method !== 'POST') return Promise.resolve(notAllowed('POST'));
        return token(request);
      }
      if (path === ISSUER_PATHS.jwks || path === ISSUER_PATHS.metadata) {
        if (request.method !== 'GET' && request.method !== 'HEAD')
          return Promise.resolve(notAllowed('GET, HEAD'));
        return Promise.resolve(Response.json(path === ISSUER_PATHS.jwks ? jwks : metadata));
      }
      return undefined;
    },
  };
}

type Credentials = { id: string; secret: string; basic: boolean } | { error: Response };

/** RFC 6749 §2.3.1: HTTP Basic (each part form-urlencoded) or client_id/client_secret in the body, not both. */
function clientCredentials(authorization: string | null, form: URLSearchParams): Credentials {
  const inBody = form.has('client_id') || form.has('client_secret');
  if (authorization !== null) {
    if (inBody) {
      return { error: tokenError(400, 'invalid_request', 'Authenticate the client one way, not two.') };
    }
    const match = /^basic +([A-Za-z0-9+/]+=*) *$/i.exec(authorization);
    const decoded = match ? Buffer.from(match[1] as string, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0) return { error: tokenError(401, 'invalid_client', 'Malformed Basic credentials.', true) };
    const formDecode = (part: string) => {
      try {
        return decodeURIComponent(part.replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    };
    const id = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    if (id === undefined || secret === undefined) {
      return { error: tokenError(401, 'invalid_client', 'Malformed Basic credentials.', true) };
    }
    return { id, secret, basic: true };
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  if (id === null || secret === null) {
    return { error: tokenError(401, 'invalid_client', 'Client authentication is missing.') };
  }
  return { id, secret, basic: false };
}

/** Constant-time: the comparison takes as long whatever the secret's first wrong byte. */
function sameSecret(expected: string, given: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

function tokenError(
  status: number,
  error: TokenError['error'],
  description: string,
  basic = false,
): Response {
  const body: TokenError = { error, error_description: description };
  const headers: Record<string, string> = { ...NO_STORE };
  if (basic) headers['www-authenticate'] = 'Basic realm="picus"';
  return Response.json(body, { status, headers });
}

function notAllowed(allow: string): Response {
  const body: TokenError = { error: 'invalid_request', error_description: `Use ${allow}.` };
  return Response.json(body, { status: 405, headers: { allow, ...NO_STORE } });
}
