/** Who is calling, as an access token proved it (or the anonymous caller when auth is off). */
export interface Caller {
  /** The token's `sub`: recorded on items as `created_by`, and the scope of idempotency keys. */
  readonly subject: string | null;
  /** The OAuth 2.0 client (`client_id`, else `azp`), for logs. */
  readonly clientId: string | undefined;
  readonly scopes: readonly string[];
}

/** The caller when AUTH_MODE=none: nobody in particular, allowed everything. */
export const ANONYMOUS: Caller = { subject: null, clientId: undefined, scopes: [] };
