/**
 * The app's own metrics (contracts/metrics.ts, written by each request's log line as EMF) as
 * CloudWatch addresses them, for the dashboard and the SLO alarms. Every name comes from the
 * contract; what is added here is only what CloudWatch needs to read them.
 */
import {
  DIMENSIONS,
  type METRICS,
  METRICS_NAMESPACE,
  type MetricOperation,
  type Outcome,
} from '../../contracts/metrics.ts';
import type { Expr, Json } from './tf.ts';

export type AppMetricName = (typeof METRICS)[keyof typeof METRICS]['name'];

/** Dimensions of one operation, all outcomes together (the `[Operation]` dimension set). */
export const perOperation = (operation: MetricOperation): Record<string, string> => ({
  [DIMENSIONS.operation]: operation,
});

/** Dimensions of one operation and outcome (the `[Operation, Outcome]` dimension set). */
export const perOutcome = (operation: MetricOperation, outcome: Outcome): Record<string, string> => ({
  [DIMENSIONS.operation]: operation,
  [DIMENSIONS.outcome]: outcome,
});

/** A dashboard metric row (`[namespace, name, dim, value, …, options]`). */
export function dashboardMetric(
  metric: AppMetricName,
  dimensions: Record<string, string | Expr>,
  options: Record<string, Json> = {},
): Json[] {
  const row: Json[] = [METRICS_NAMESPACE, metric, ...Object.entries(dimensions).flat()];
  return Object.keys(options).length > 0 ? [...row, options] : row;
}
