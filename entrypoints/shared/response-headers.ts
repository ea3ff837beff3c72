import { type CorsPolicy, corsHeaders } from './cors.ts';

/** Headers every response of the API carries, from either backend. */
const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

/**
 * What the container's envelope and the Lambda add to every response they send, whatever
 * produced it: the request id, the common headers, and with a CORS policy its headers for the
 * request's `Origin`.
 */
export function responseHeaders(
  requestId: string,
  cors: CorsPolicy | undefined,
  origin: string | null,
): Record<string, string> {
  const headers: Record<string, string> = { ...COMMON_HEADERS, 'x-request-id': requestId };
  return cors === undefined ? headers : Object.assign(headers, corsHeaders(cors, origin));
}
