import type { Caller } from './auth/caller.ts';
import { describeFailure, type Logger, type RequestLogEntry } from './logger.ts';
import { type RequestMeasures, requestMetrics } from './request-metrics.ts';

/** What the container's envelope and the Lambda know of a request when they log it. */
export interface AnsweredRequest extends RequestMeasures {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** Who a token proved the caller to be, if one did (also for refusals that name the caller). */
  readonly caller?: Caller | undefined;
  /** What failed: its cause reaches a 5xx's log line, never the client; its kind, the metrics' outcome. */
  readonly failure?: unknown;
}

/**
 * The one access-log line of an answered request, the same from both backends: the entry, and
 * for an operation its metrics (EMF). Built only when the logger will write it.
 */
export function logRequest(logger: Logger, request: AnsweredRequest): void {
  if (!logger.logsRequest(request.status)) return;
  const latency = Math.round((performance.now() - request.startedAt) * 100) / 100;
  // The caller's fields are set only when a token named someone (an absent field is no member).
  const subject = request.caller?.subject ?? undefined;
  const entry: RequestLogEntry = {
    request_id: request.requestId,
    method: request.method,
    path: request.path,
    status: request.status,
    latency_ms: latency,
    client_id: subject === undefined ? undefined : request.caller?.clientId,
    sub: subject,
    error: request.status >= 500 ? describeFailure(request.failure) : undefined,
  };
  const metrics = logger.writesMetrics
    ? requestMetrics(request, request.status, latency, request.failure)
    : undefined;
  logger.request(entry, metrics);
}
