import { afterAll, beforeAll } from 'bun:test';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { ALL_SCOPES } from '../../../../contracts/scopes.ts';
import { type Authorizer, type AuthSettings, createAuthorizer } from '../authorizer.ts';

/**
 * A token issuer for tests: its JWKS served over real HTTP on loopback (the code under test
 * fetches it as it fetches Cognito's), and tokens signed with whatever claims, header or key a
 * test needs, valid or not.
 */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface TestIssuer {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly settings: AuthSettings;
  /** The keys the JWKS currently lists (the newest last). */
  readonly keys: SigningKey[];
  /** How many times the JWKS was fetched. */
  readonly fetches: number;
  /** A token with every scope for `sub` (default `client-1`), signed with the newest key. */
  token(
    claims?: JWTPayload,
    options?: { key?: SigningKey; header?: Record<string, unknown> },
  ): Promise<string>;
  /** Adds a key to the JWKS (signing tokens the verifier has not seen the key of). */
  rotate(): Promise<SigningKey>;
  /** JWKS answers: normally, with this status, or never (a hung issuer). */
  jwksBehaviour: 'ok' | 'error' | 'hang';
  stop(): Promise<void>;
}

export async function newSigningKey(alg = 'RS256'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return { kid: await calculateJwkThumbprint(publicJwk), privateKey, publicJwk };
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const keys: SigningKey[] = [await newSigningKey()];
  let fetches = 0;
  const state = { behaviour: 'ok' as TestIssuer['jwksBehaviour'] };
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (request) => {
      if (new URL(request.url).pathname !== '/.well-known/jwks.json')
        return new Response(null, { status: 404 });
      fetches++;
      if (state.behaviour === 'hang') await new Promise(() => {});
      if (state.behaviour === 'error') return new Response('unavailable', { status: 503 });
      return Response.json({
        keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'RS256', use: 'sig' })),
      });
    },
  });
  const issuer = `http://127.0.0.1:${server.port}`;
  const jwksUrl = `${issuer}/.well-known/jwks.json`;
  return {
    issuer,
    jwksUrl,
    settings: { mode: 'jwt', issuer, jwksUrl, tokenUrl: `${issuer}/oauth2/token` },
    keys,
    get fetches() {
      return fetches;
    },
    get jwksBehaviour() {
      return state.behaviour;
    },
    set jwksBehaviour(value) {
      state.behaviour = value;
    },
    async token(claims = {}, options = {}) {
      const key = options.key ?? (keys.at(-1) as SigningKey);
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: issuer,
        sub: 'client-1',
        client_id: 'client-1',
        scope: ALL_SCOPES.join(' '),
        token_use: 'access',
        iat: now,
        exp: now + 3600,
        ...claims,
      };
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT', ...options.header })
        .sign(key.privateKey);
    },
    async rotate() {
      const key = await newSigningKey();
      keys.push(key);
      return key;
    },
    async stop() {
      await server.stop(true);
    },
  };
}

/** A test file's issuer: started before its tests, stopped after them. */
export interface IssuerForTests {
  readonly issuer: TestIssuer;
  /** An authorizer that trusts the issuer, as the container and the Lambda would. */
  readonly auth: Authorizer;
  /** A token with every scope, for client-1. */
  readonly token: string;
}

/** Starts a test issuer for the calling test file (bun:test hooks); read it inside tests only. */
export function issuerForTests(): IssuerForTests {
  let state: IssuerForTests | undefined;
  beforeAll(async () => {
    const issuer = await startTestIssuer();
    state = { issuer, auth: createAuthorizer(issuer.settings), token: await issuer.token() };
  });
  afterAll(() => state?.issuer.stop());
  const current = () => {
    if (state === undefined) throw new Error('the test issuer is read before its beforeAll ran');
    return state;
  };
  return {
    get issuer() {
      return current().issuer;
    },
    get auth() {
      return current().auth;
    },
    get token() {
      return current().token;
    },
  };
}
