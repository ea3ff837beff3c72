/** What we accept from a caller as a request id: short, and safe to log and echo. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
const TRACE_ROOT = /(?:^|;)\s*Root=([A-Za-z0-9-]{1,64})/;

/**
 * The caller's `x-request-id` if it is sane, else the X-Ray root of
 * `x-amzn-trace-id` (which the ALB adds), else a new UUID. Reusing the caller's
 * id lets one request be followed across the load balancer, container and Lambda.
 */
export function requestIdFrom(getHeader: (name: string) => string | null | undefined): string {
  const given = getHeader('x-request-id');
  if (given && SANE_REQUEST_ID.test(given)) return given;
  const trace = getHeader('x-amzn-trace-id');
  const root = trace ? TRACE_ROOT.exec(trace)?.[1] : undefined;
  return root ?? crypto.randomUUID();
}
