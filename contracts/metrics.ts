/**
 * The application metrics every request's log line carries as CloudWatch Embedded Metric Format
 * (EMF): one source for the code that writes the line (entrypoints/shared/request-metrics.ts)
 * and for the AWS stack that reads the metrics (terraform-gen: dashboard, saved queries, SLO
 * alarms). CloudWatch Logs extracts them from the line already written: no API call.
 */

export const METRICS_NAMESPACE = 'Picus';

/** The operations with metrics, by the name the `Operation` dimension gives them. */
export const METRIC_OPERATIONS = ['list', 'put', 'get', 'delete', 'ready'] as const;
export type MetricOperation = (typeof METRIC_OPERATIONS)[number];

/** How a request ended, as the `Outcome` dimension says it. */
export const OUTCOMES = [
  'ok',
  'client_error',
  'not_found',
  'conflict',
  'throttled',
  'unavailable',
  'error',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The outcomes answered with a 5xx: the store throttled (503), the store, the token issuer's
 * keys or the instance were unavailable (503), or a failure no mapping named (500). Every other
 * outcome is a 2xx or a 4xx, which no availability objective counts against the service.
 */
export const SERVER_ERROR_OUTCOMES = [
  'throttled',
  'unavailable',
  'error',
] as const satisfies readonly Outcome[];

/** The dimension names, as they appear (with their values) at the top of each log line. */
export const DIMENSIONS = { operation: 'Operation', outcome: 'Outcome' } as const;

/**
 * The dimension sets each metric is published under: per operation and outcome (what failed and
 * how), and per operation alone (percentiles across outcomes, for the latency SLO).
 */
export const DIMENSION_SETS = [[DIMENSIONS.operation, DIMENSIONS.outcome], [DIMENSIONS.operation]] as const;

/** The metrics, by name, with their EMF units. */
export const METRICS = {
  /** 1 per request. */
  requests: { name: 'Requests', unit: 'Count' },
  /** The request's whole time in our code, as its log line's `latency_ms`. */
  latency: { name: 'Latency', unit: 'Milliseconds' },
  /** The time spent in the item store's calls (DynamoDB, its retries included); absent when none was made. */
  storeLatency: { name: 'StoreLatency', unit: 'Milliseconds' },
  /** Puts only: 1 when an Idempotency-Key replayed an earlier put. */
  idempotentReplay: { name: 'IdempotentReplay', unit: 'Count' },
  /** Puts only: 1 when an Idempotency-Key was reused with another body (409). */
  idempotencyConflict: { name: 'IdempotencyConflict', unit: 'Count' },
} as const;
