import { allowedMethods } from '../../contracts/api-resources.ts';
import { HttpProblem } from './http-problem.ts';

/**
 * Cross-origin access for browser clients (CORS_ALLOWED_ORIGINS). Off unless configured: then no
 * response carries `Access-Control-*` and a preflight is the 405 any OPTIONS is. Both backends
 * use this module: the container answers preflights (the ALB sends OPTIONS there) and adds the
 * headers to its responses; the Lambda adds them to DELETE's.
 */
export interface CorsPolicy {
  /** Exact origins (`scheme://host[:port]`), or `*` for any. */
  readonly origins: ReadonlySet<string> | '*';
}

/** The request headers a browser may send: the API's own, besides the CORS-safelisted ones. */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'x-request-id'];

/** The response headers a browser script may read, besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = [
  'location',
  'x-request-id',
  'idempotent-replayed',
  'retry-after',
  'www-authenticate',
  'allow',
];

/** How long a browser may cache a preflight's answer (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 600;

const EXPOSED = CORS_EXPOSED_HEADERS.join(', ');

/**
 * The policy CORS_ALLOWED_ORIGINS describes: empty or unset is none (undefined); `*` is any
 * origin; otherwise origins separated by commas, each exactly as a browser sends `Origin`.
 * Throws a message naming the entry that is not an origin.
 */
export function parseCorsOrigins(text: string | undefined): CorsPolicy | undefined {
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return undefined;
  if (entries.includes('*')) {
    if (entries.length > 1) throw new Error('`*` allows every origin; list no others beside it');
    return { origins: '*' };
  }
  for (const entry of entries) {
    if (!URL.canParse(entry) || new URL(entry).origin !== entry || !/^https?:/.test(entry)) {
      throw new Error(
        `"${entry}" is not an origin like https://app.example.com (no path, no trailing slash)`,
      );
    }
  }
  return { origins: new Set(entries) };
}

function allows(policy: CorsPolicy, origin: string): boolean {
  return policy.origins === '*' || policy.origins.has(origin);
}

/**
 * Headers for a response to a request from `origin`: none unless the policy allows it. `Vary:
 * Origin` goes on every response when a policy is set, so no cache serves one origin's answer to another.
 */
export function corsHeaders(policy: CorsPolicy | undefined, origin: string | null): Record<string, string> {
  if (policy === undefined) return {};
  if (origin === null || !allows(policy, origin)) return { vary: 'origin' };
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': EXPOSED,
    vary: 'origin',
  };
}

/** The answer to a CORS preflight: 204 and its headers, or an HttpProblem to answer instead. */
export interface PreflightAnswer {
  readonly status: 204;
  readonly headers: Record<string, string>;
}

/**
 * Answers `OPTIONS` when it is a CORS preflight (it names an `Origin` and an
 * `Access-Control-Request-Method`) and a policy is set; undefined otherwise (the request is
 * routed as any other OPTIONS). Throws an HttpProblem for an origin the policy does not allow
 * (403) or a path no resource lives at (404).
 */
export function preflight(
  policy: CorsPolicy | undefined,
  method: string,
  path: string,
  header: (name: string) => string | null,
): PreflightAnswer | undefined {
  const origin = header('origin');
  const requested = header('access-control-request-method');
  if (policy === undefined || method !== 'OPTIONS' || origin === null || requested === null) return undefined;
  if (!allows(policy, origin)) {
    throw new HttpProblem('OriginNotAllowed', `Origin ${origin} is not allowed to call this API.`);
  }
  const methods = allowedMethods(path);
  if (methods.length === 0) throw new HttpProblem('NotFound', `No resource at ${path}.`);
  return {
    status: 204,
    headers: {
      ...corsHeaders(policy, origin),
      'access-control-allow-methods': methods.join(', '),
      'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
      'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
    },
  };
}
