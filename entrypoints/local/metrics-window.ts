import { DIMENSIONS, METRICS, type MetricOperation, type Outcome } from '../../contracts/metrics.ts';

/** Where the local load balancer shows the summary (`bun run dev` only; no such page in AWS). */
export const LOCAL_METRICS_PATH = '/_local/metrics';

interface Observation {
  readonly at: number;
  readonly operation: MetricOperation;
  readonly outcome: Outcome;
  readonly latency: number;
  readonly store: number | undefined;
  readonly replay: boolean;
  readonly conflict: boolean;
}

export interface OperationSummary {
  readonly requests: number;
  readonly outcomes: Partial<Record<Outcome, number>>;
  readonly latency_ms: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly store_latency_ms: { readonly p50: number; readonly p99: number; readonly max: number } | null;
  readonly idempotent_replays: number;
  readonly idempotency_conflicts: number;
}

export interface MetricsSummary {
  readonly window_seconds: number;
  readonly operations: Partial<Record<MetricOperation, OperationSummary>>;
}

/** Bounds the memory of a stack under a load test: the oldest observations go first. */
const MAX_OBSERVATIONS = 100_000;

/**
 * The last minute of the application metrics the stack's request lines carry (EMF), summarised
 * per operation: what CloudWatch would extract from the same lines in AWS, for a developer to
 * see before deploying. Fed with every line the container and the Lambda handler write.
 */
export class MetricsWindow {
  readonly #windowMs: number;
  readonly #now: () => number;
  #observations: Observation[] = [];

  constructor(windowMs = 60_000, now: () => number = Date.now) {
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Takes one log line; keeps it when it is a request line with metrics. */
  observe(line: string): void {
    if (!line.startsWith('{"_aws"')) return;
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(line);
    } catch {
      return;
    }
    const store = fields[METRICS.storeLatency.name];
    this.#observations.push({
      at: this.#now(),
      operation: fields[DIMENSIONS.operation] as MetricOperation,
      outcome: fields[DIMENSIONS.outcome] as Outcome,
      latency: Number(fields[METRICS.latency.name]),
      store: typeof store === 'number' ? store : undefined,
      replay: fields[METRICS.idempotentReplay.name] === 1,
      conflict: fields[METRICS.idempotencyConflict.name] === 1,
    });
    if (this.#observations.length > MAX_OBSERVATIONS) this.#observations.splice(0, MAX_OBSERVATIONS / 10);
  }

  summary(): MetricsSummary {
    const since = this.#now() - this.#windowMs;
    this.#observations = this.#observations.filter((o) => o.at >= since);
    const byOperation = new Map<MetricOperation, Observation[]>();
    for (const o of this.#observations) {
      const list = byOperation.get(o.operation);
      if (list === undefined) byOperation.set(o.operation, [o]);
      else list.push(o);
    }
    const operations: Partial<Record<MetricOperation, OperationSummary>> = {};
    for (const [operation, list] of byOperation) {
      const outcomes: Partial<Record<Outcome, number>> = {};
      for (const o of list) outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1;
      const stores = list.flatMap((o) => (o.store === undefined ? [] : [o.store]));
      operations[operation] = {
        requests: list.length,
        outcomes,
        latency_ms: distribution(list.map((o) => o.latency)),
        store_latency_ms: stores.length > 0 ? distribution(stores) : null,
        idempotent_replays: list.filter((o) => o.replay).length,
        idempotency_conflicts: list.filter((o) => o.conflict).length,
      };
    }
    return { window_seconds: this.#windowMs / 1000, operations };
  }
}

/** Nearest-rank percentiles, as CloudWatch reports pNN of a metric. */
function distribution(values: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] as number;
  return { p50: rank(50), p99: rank(99), max: sorted.at(-1) as number };
}
