/**
 * Protocol-level failures that happen before a request reaches the domain
 * (unreadable body, wrong media type, unknown route). Domain failures are
 * `DomainError`s; both are turned into problem+json by `problemFor`.
 */
export type HttpProblemKind =
  | 'MalformedRequest'
  | 'UnsupportedMediaType'
  | 'PayloadTooLarge'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'BadGateway'
  /** A CORS preflight from an origin CORS_ALLOWED_ORIGINS does not list. */
  | 'OriginNotAllowed'
  /** The client went away before its request was answered; only ever logged (status 499). */
  | 'ClientClosedRequest';

export class HttpProblem extends Error {
  constructor(
    readonly kind: HttpProblemKind,
    message: string,
    readonly allow: readonly string[] = [],
  ) {
    super(message);
  }
}
