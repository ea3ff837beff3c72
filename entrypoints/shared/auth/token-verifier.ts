import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { AuthUnavailable, InvalidToken } from './auth-failures.ts';
import type { Caller } from './caller.ts';
import { KeySetUnavailable } from './remote-key-set.ts';

export interface TokenVerifierOptions {
  /** The `iss` every token must carry, exactly. */
  readonly issuer: string;
  /** When set, the token's `aud` must include it (Cognito access tokens have none: leave unset). */
  readonly audience?: string | undefined;
  readonly keys: JWTVerifyGetKey;
  /** Allowed clock difference for `exp` and `nbf`. */
  readonly clockToleranceSeconds?: number;
  /** Verified tokens remembered until they expire (see `verify`). */
  readonly cacheSize?: number;
  readonly now?: () => number;
}

interface Verified {
  readonly caller: Caller;
  /** When the token stops being accepted, in ms (its `exp` plus the tolerance). */
  readonly until: number;
}

/**
 * Verifies OAuth 2.0 access tokens that are RS256 JWTs (what Cognito and most issuers sign):
 * signature against the issuer's keys, `iss`, `exp`/`nbf` with bounded skew, `aud` when
 * configured, and `token_use` when present (a Cognito ID token is not an access token).
 */
export class TokenVerifier {
  readonly #options: TokenVerifierOptions;
  readonly #tolerance: number;
  readonly #cacheSize: number;
  readonly #now: () => number;
  /**
   * An RS256 check costs more CPU than the rest of a request, and a client sends the same token
   * for its whole life, so a verified token is remembered until it expires: keyed by the token
   * itself, which only a holder of the signing key could have produced. Oldest entries go first.
   */
  readonly #verified = new Map<string, Verified>();

  constructor(options: TokenVerifierOptions) {
    this.#options = options;
    this.#tolerance = options.clockToleranceSeconds ?? 60;
    this.#cacheSize = options.cacheSize ?? 4096;
    this.#now = options.now ?? Date.now;
  }

  /** The caller of a token verified before and not expired since, without any other work. */
  remembered(token: string): Caller | undefined {
    const known = this.#verified.get(token);
    if (known === undefined) return undefined;
    if (this.#now() <= known.until) return known.caller;
    this.#verified.delete(token);
    return undefined;
  }

  async verify(token: string): Promise<Caller> {
    const known = this.remembered(token);
    if (known !== undefined) return known;
    const now = this.#now();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#options.keys, {
        issuer: this.#options.issuer,
        ...(this.#options.audience !== undefined ? { audience: this.#options.audience } : {}),
        algorithms: ['RS256'],
        clockTolerance: this.#tolerance,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now),
      }));
    } catch (error) {
      throw refusal(error);
    }
    if (payload.token_use !== undefined && payload.token_use !== 'access') {
      throw new InvalidToken('not an access token', signedCaller(payload));
    }
    const caller = callerOf(payload);
    if (this.#verified.size >= this.#cacheSize) {
      this.#verified.delete(this.#verified.keys().next().value as string);
    }
    this.#verified.set(token, { caller, until: ((payload.exp as number) + this.#tolerance) * 1000 });
    return caller;
  }
}

function signedCaller(payload: JWTPayload): Caller | undefined {
  return typeof payload.sub === 'string' ? callerOf(payload) : undefined;
}

function callerOf(payload: JWTPayload): Caller {
  const clientId = [payload.client_id, payload.azp].find((v): v is string => typeof v === 'string');
  return { subject: payload.sub as string, clientId, scopes: scopesOf(payload) };
}

/** `scope` (RFC 8693 §4.2: space-separated) or `scp` (a list, as some issuers write it). */
function scopesOf(payload: JWTPayload): string[] {
  if (typeof payload.scope === 'string') return payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scp)) return payload.scp.filter((s): s is string => typeof s === 'string');
  if (typeof payload.scp === 'string') return payload.scp.split(' ').filter(Boolean);
  return [];
}

/** jose's error as our refusal, with a reason short enough to show and no detail to exploit. */
function refusal(error: unknown): Error {
  if (error instanceof KeySetUnavailable) return new AuthUnavailable({ cause: error });
  // jose checks claims only after the signature held, so their payload is the issuer's.
  if (error instanceof errors.JWTExpired) return new InvalidToken('expired', signedCaller(error.payload));
  if (error instanceof errors.JWTClaimValidationFailed) {
    const caller = signedCaller(error.payload);
    if (error.reason === 'missing') return new InvalidToken(`no ${error.claim} claim`, caller);
    switch (error.claim) {
      case 'nbf':
      case 'iat':
        return new InvalidToken('not yet valid', caller);
      case 'iss':
        return new InvalidToken('wrong issuer', caller);
      case 'aud':
        return new InvalidToken('wrong audience', caller);
      default:
        return new InvalidToken(`bad ${error.claim} claim`, caller);
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidToken('signing algorithm not allowed');
  if (error instanceof errors.JWKSNoMatchingKey) return new InvalidToken('unknown signing key');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidToken('bad signature');
  return new InvalidToken('malformed');
}
