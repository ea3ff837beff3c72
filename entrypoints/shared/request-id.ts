import { REQUEST_ID_PATTERN } from '../../contracts/request-id.ts';

const TRACE_ROOT = /(?:^|;)\s*Root=([A-Za-z0-9-]{1,64})/;

/**
 * The caller's `x-request-id` if it is sane, else the X-Ray root of
 * `x-amzn-trace-id` (which the ALB adds), else a new UUID. Reusing the caller's
 * id lets one request be followed across the load balancer, container and Lambda.
 */
export function requestIdFrom(getHeader: (name: string) => string | null | undefined): string {
  const given = getHeader('x-request-id');
  if (given && REQUEST_ID_PATTERN.test(given)) return given;
  const trace = getHeader('x-amzn-trace-id');
  const root = trace ? TRACE_ROOT.exec(trace)?.[1] : undefined;
  return root ?? crypto.randomUUID();
}
