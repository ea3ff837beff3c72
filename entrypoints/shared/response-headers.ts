import { type CorsPolicy, corsHeaders } from './cors.ts';

/**
 * What the container's envelope and the Lambda add to every response they send, whatever
 * produced it: the request id, the headers every response of the API carries, and with a CORS
 * policy its headers for the request's `Origin`. A new object each call: callers add to it.
 */
export function responseHeaders(
  requestId: string,
  cors: CorsPolicy | undefined,
  origin: string | null,
): Record<string, string> {
  // A literal, not a spread of a shared constant: this runs on every request.
  const headers: Record<string, string> = {
    'x-request-id': requestId,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
  return cors === undefined ? headers : Object.assign(headers, corsHeaders(cors, origin));
}
