import { AUTH_REALM, type Scope } from '../../../contracts/scopes.ts';
import type { Caller } from './caller.ts';

/**
 * Why a request's credentials were refused. Each carries its `WWW-Authenticate` challenge
 * (RFC 6750 §3); problem-mapping.ts turns them into 401/403/503 problems like any other failure.
 */
export type AuthFailureKind =
  | 'AuthenticationRequired'
  | 'InvalidToken'
  | 'InsufficientScope'
  | 'AuthUnavailable';

export abstract class AuthFailure extends Error {
  abstract readonly kind: AuthFailureKind;
  /** The `WWW-Authenticate` value, if the answer carries one. */
  abstract readonly challenge: string | undefined;
}

/** Who a refused request came from, where a signed token said so. */
export function callerOfFailure(failure: unknown): Caller | undefined {
  if (failure instanceof InsufficientScope) return failure.caller;
  if (failure instanceof InvalidToken) return failure.caller;
  return undefined;
}

/** No credentials (no `Authorization` header, or another scheme than Bearer). */
export class AuthenticationRequired extends AuthFailure {
  readonly kind = 'AuthenticationRequired';
  readonly challenge = `Bearer realm="${AUTH_REALM}"`;
  constructor() {
    super('Send an OAuth 2.0 access token: Authorization: Bearer <token>.');
  }
}

/**
 * A token that is not valid. `reason` is short and safe to show (never key or claim material).
 * `caller` is set when the signature held but a claim did not (expired, wrong issuer): the
 * identity is then the issuer's word, worth a log line.
 */
export class InvalidToken extends AuthFailure {
  readonly kind = 'InvalidToken';
  readonly challenge = `Bearer realm="${AUTH_REALM}", error="invalid_token"`;
  constructor(
    readonly reason: string,
    readonly caller?: Caller,
  ) {
    super(`The access token is not valid: ${reason}.`);
  }
}

/** A valid token without the scope the operation needs. */
export class InsufficientScope extends AuthFailure {
  readonly kind = 'InsufficientScope';
  readonly challenge: string;
  constructor(
    readonly scope: Scope,
    readonly caller: Caller,
  ) {
    super(`This operation needs the ${scope} scope.`);
    this.challenge = `Bearer realm="${AUTH_REALM}", error="insufficient_scope", scope="${scope}"`;
  }
}

/** The issuer's signing keys cannot be fetched, so no token can be checked: retry later. */
export class AuthUnavailable extends AuthFailure {
  readonly kind = 'AuthUnavailable';
  readonly challenge = undefined;
  readonly retryAfterSeconds = 5;
  constructor(options?: { cause?: unknown }) {
    super("The token issuer's signing keys cannot be fetched; the token could not be checked.", options);
  }
}
