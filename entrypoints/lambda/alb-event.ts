import type { ALBEvent, ALBResult } from 'aws-lambda';

/** Case-insensitive header lookup across `headers` and `multiValueHeaders` (last value wins, as ALB does). */
export function albHeader(event: ALBEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  if (event.multiValueHeaders) {
    for (const key in event.multiValueHeaders) {
      if (key.toLowerCase() === wanted) return event.multiValueHeaders[key]?.at(-1);
    }
  }
  if (event.headers) {
    for (const key in event.headers) {
      if (key.toLowerCase() === wanted) return event.headers[key];
    }
  }
  return undefined;
}

/**
 * Builds the result an ALB accepts: status description in "404 Not Found" form,
 * string header values only, and `multiValueHeaders` exactly when the target group
 * sent the event with them (ALB ignores the other field).
 */
export function albResult(
  event: ALBEvent,
  status: number,
  headers: Record<string, string>,
  body: string,
): ALBResult {
  const statusDescription = `${status} ${REASON_PHRASES[status] ?? 'Unknown'}`;
  if (event.multiValueHeaders) {
    const multiValueHeaders: Record<string, string[]> = {};
    for (const key in headers) multiValueHeaders[key] = [headers[key] as string];
    return { statusCode: status, statusDescription, multiValueHeaders, isBase64Encoded: false, body };
  }
  return { statusCode: status, statusDescription, headers, isBase64Encoded: false, body };
}

/** HTTP reason phrases for the statuses this API answers with (ALB wants "404 Not Found"). */
const REASON_PHRASES: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};
