import {
  DIMENSION_SETS,
  DIMENSIONS,
  METRIC_OPERATIONS,
  METRICS,
  METRICS_NAMESPACE,
  type MetricOperation,
  OUTCOMES,
  type Outcome,
} from '../../contracts/metrics.ts';
import { StoreUnavailable } from '../../domain/errors.ts';

/**
 * A request's metrics as CloudWatch Embedded Metric Format: the directive (which members of the
 * line are metrics, in which namespace and dimensions) and the members themselves. The directive
 * is one of four prebuilt JSON texts, so the line costs a string join, not a second serialization.
 */
export interface EmfMetrics {
  /** The JSON of `_aws.CloudWatchMetrics`. */
  readonly directive: string;
  /**
   * The dimension values and metric values as JSON members (`"Operation":"get",…`, no braces),
   * written at the top level of the line as EMF wants. Text, not an object: every name and
   * dimension value comes from a fixed set and every value is a number, so joining strings
   * gives the same JSON as serializing, at a fraction of the cost on every request.
   */
  readonly members: string;
}

/** What is measured of a request besides its status and latency. */
export interface RequestMeasures {
  readonly operation?: MetricOperation | undefined;
  /** Time spent in item-store calls, when any was made. */
  readonly storeMs?: number | undefined;
  /** A put answered by an Idempotency-Key replay. */
  readonly replayed?: boolean | undefined;
}

function directiveOf(metrics: ReadonlyArray<{ readonly name: string; readonly unit: string }>): string {
  const Metrics = metrics.map(({ name, unit }) => ({ Name: name, Unit: unit }));
  return JSON.stringify([{ Namespace: METRICS_NAMESPACE, Dimensions: DIMENSION_SETS, Metrics }]);
}

const BASE = [METRICS.requests, METRICS.latency];
const PUT = [METRICS.idempotentReplay, METRICS.idempotencyConflict];
const DIRECTIVES = {
  plain: directiveOf(BASE),
  store: directiveOf([...BASE, METRICS.storeLatency]),
  put: directiveOf([...BASE, ...PUT]),
  putStore: directiveOf([...BASE, METRICS.storeLatency, ...PUT]),
};

/** How a request ended, in the `Outcome` dimension's words. */
export function outcomeOf(status: number, failure: unknown): Outcome {
  if (status < 400) return 'ok';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (failure instanceof StoreUnavailable && failure.throttled) return 'throttled';
  if (status === 503) return 'unavailable';
  if (status >= 500) return 'error';
  return 'client_error';
}

/** `"Operation":"get","Outcome":"ok","Requests":1,"Latency":` for each operation and outcome. */
const HEADS = Object.fromEntries(
  METRIC_OPERATIONS.map((operation) => [
    operation,
    Object.fromEntries(
      OUTCOMES.map((outcome) => {
        const members = {
          [DIMENSIONS.operation]: operation,
          [DIMENSIONS.outcome]: outcome,
          [METRICS.requests.name]: 1,
        };
        return [outcome, `${JSON.stringify(members).slice(1, -1)},"${METRICS.latency.name}":`];
      }),
    ) as Record<Outcome, string>,
  ]),
) as Record<MetricOperation, Record<Outcome, string>>;

const STORE_LATENCY = `,"${METRICS.storeLatency.name}":`;
const REPLAY = `,"${METRICS.idempotentReplay.name}":`;
const CONFLICT = `,"${METRICS.idempotencyConflict.name}":`;

/** The EMF metrics of an answered request of an operation; none for probes and non-operations. */
export function requestMetrics(
  measures: RequestMeasures,
  status: number,
  latencyMs: number,
  failure: unknown,
): EmfMetrics | undefined {
  const { operation, storeMs } = measures;
  if (operation === undefined) return undefined;
  const outcome = outcomeOf(status, failure);
  let members = HEADS[operation][outcome] + latencyMs;
  if (storeMs !== undefined) members += STORE_LATENCY + Math.round(storeMs * 100) / 100;
  const put = operation === 'put';
  if (put) {
    members += REPLAY + (measures.replayed === true ? 1 : 0);
    members += CONFLICT + (outcome === 'conflict' ? 1 : 0);
  }
  const directive =
    storeMs === undefined
      ? put
        ? DIRECTIVES.put
        : DIRECTIVES.plain
      : put
        ? DIRECTIVES.putStore
        : DIRECTIVES.store;
  return { directive, members };
}
