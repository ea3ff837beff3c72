import type { Scope } from '../../../contracts/scopes.ts';
import { AuthenticationRequired, InsufficientScope, InvalidToken } from './auth-failures.ts';
import { ANONYMOUS, type Caller } from './caller.ts';
import { RemoteKeySet } from './remote-key-set.ts';
import { TokenVerifier } from './token-verifier.ts';

export type AuthSettings =
  | { readonly mode: 'none' }
  | {
      readonly mode: 'jwt';
      readonly issuer: string;
      readonly jwksUrl: string;
      readonly audience?: string | undefined;
      /** Where clients get tokens (shown in the API docs). */
      readonly tokenUrl: string;
    };

export interface Authorizer {
  readonly settings: AuthSettings;
  /**
   * The caller, when the `Authorization` header carries a valid access token with `scope`;
   * otherwise throws the AuthFailure that says why (401, 403 or 503).
   */
  authorize(authorization: string | null | undefined, scope: Scope): Promise<Caller>;
}

/** RFC 6750 §2.1: `Bearer` (any case), one or more spaces, a b64token. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const SCHEME = /^([^\s]+)/;

const CANONICAL_PREFIX = 'Bearer ';

/** The token of an `Authorization: Bearer` header; AuthenticationRequired or InvalidToken otherwise. */
function bearerToken(authorization: string | null | undefined): string {
  if (!authorization || SCHEME.exec(authorization)?.[1]?.toLowerCase() !== 'bearer') {
    throw new AuthenticationRequired();
  }
  const token = BEARER.exec(authorization)?.[1];
  if (token === undefined) throw new InvalidToken('malformed');
  return token;
}

export function createAuthorizer(settings: AuthSettings): Authorizer {
  if (settings.mode === 'none') return { settings, authorize: async () => ANONYMOUS };
  const verifier = new TokenVerifier({
    issuer: settings.issuer,
    audience: settings.audience,
    keys: new RemoteKeySet(settings.jwksUrl).getKey,
  });
  return {
    settings,
    async authorize(authorization, scope) {
      // A client sends the same token for an hour: the common case skips parsing altogether.
      const remembered = authorization?.startsWith(CANONICAL_PREFIX)
        ? verifier.remembered(authorization.slice(CANONICAL_PREFIX.length))
        : undefined;
      const caller = remembered ?? (await verifier.verify(bearerToken(authorization)));
      if (!caller.scopes.includes(scope)) throw new InsufficientScope(scope, caller);
      return caller;
    },
  };
}
