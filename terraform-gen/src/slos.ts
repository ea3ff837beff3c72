/**
 * The service level objectives, as data: what each promises over 30 days, how its indicator is
 * measured, and the burn-rate alerts that page before the error budget is gone. slo-alarms.ts
 * turns them into alarms; the README's SLO table says the same in prose.
 */
import { METRICS, METRICS_NAMESPACE, type MetricOperation } from '../../contracts/metrics.ts';
import { perOperation } from './app-metrics.ts';
import type { Expr, Json } from './tf.ts';

/** The window every objective is judged over. */
export const SLO_WINDOW_DAYS = 30;

/**
 * Multi-window burn-rate alerts (Google SRE workbook, ch. 5): each fires when the budget burns
 * faster than `burnRate` over both windows; the long one proves it is real, the short one that
 * it is still happening (so the alert clears soon after the fault does).
 */
export const BURN_ALERTS = [
  // 14.4 × 1 h = 2% of a 30-day budget in one hour: page now.
  { speed: 'fast', burnRate: 14.4, longSeconds: 3600, shortSeconds: 300 },
  // 6 × 6 h = 5% of the budget in six hours: a slower leak, still worth a page.
  { speed: 'slow', burnRate: 6, longSeconds: 21_600, shortSeconds: 1800 },
] as const;
export type BurnAlert = (typeof BURN_ALERTS)[number];

/** The share of the 30-day budget an alert's long window spends at its burn rate. */
export const budgetSpent = (a: BurnAlert): number =>
  (a.burnRate * a.longSeconds) / (SLO_WINDOW_DAYS * 86_400);

/** "1h", "5m", "6h", "30m": how alarm names spell a window. */
export const windowLabel = (seconds: number): string =>
  seconds % 3600 === 0 ? `${seconds / 3600}h` : `${seconds / 60}m`;

export interface SloRefs {
  albArnSuffix: Expr;
}

export interface Slo {
  key: string;
  title: string;
  /** The objective, in percent of requests. */
  objectivePercent: number;
  /** What is promised, in one sentence (alarm descriptions, the README). */
  promise: string;
  /** The first thing to look at when its alert fires (alarm descriptions, the README's runbook). */
  firstCheck: string;
  /**
   * The indicator over one window, as metric-math queries whose one returned expression
   * (`id: "burn"`) is the burn rate: the bad share of requests divided by the budget's share.
   */
  burnRateQueries(refs: SloRefs, periodSeconds: number): Json[];
}

/** The error budget in percent (0.1 for 99.9), rounded so 100 − 99.9 does not print 0.0999…. */
export const budgetPercent = (objectivePercent: number): number =>
  Number((100 - objectivePercent).toFixed(6));

const metric = (
  id: string,
  namespace: string,
  name: string,
  dimensions: Record<string, Json>,
  stat: string,
  period: number,
) => ({
  id,
  return_data: false,
  metric: { namespace, metric_name: name, dimensions, stat, period },
});

/** The operation the latency objective is about: `GET /picus/get/{key}`. */
const LATENCY_OPERATION: MetricOperation = 'get';
const LATENCY_THRESHOLD_MS = 100;
const AVAILABILITY_OBJECTIVE = 99.9;
const LATENCY_OBJECTIVE = 99;

export const SLOS: readonly Slo[] = [
  {
    key: 'availability',
    title: 'Availability',
    objectivePercent: AVAILABILITY_OBJECTIVE,
    promise: `${AVAILABILITY_OBJECTIVE}% of the requests the load balancer answers are not 5xx, over ${SLO_WINDOW_DAYS} days`,
    firstCheck:
      'the saved query errors-by-operation (which operation, which cause); 5xx at the load balancer with none in the app means no healthy target or a failing Lambda (unhealthy-hosts, ecs-running-below-desired, lambda-errors).',
    // From the load balancer, not the app's log lines: it also sees what never reaches our code
    // or never logs (no healthy target, a Lambda that crashed, a timeout). Requests it refuses
    // before choosing a target are not in RequestCount, so its own 5xx are added to the total:
    // an outage with no target left still counts as 100% errors, never as "no data". SUM over
    // an array adds the series that have a value, so a 5xx series with no data point (none
    // happened) neither hides the other nor empties the result.
    burnRateQueries: (refs, period) => {
      const lb = { LoadBalancer: refs.albArnSuffix };
      const alb = 'AWS/ApplicationELB';
      return [
        metric('requests', alb, 'RequestCount', lb, 'Sum', period),
        metric('elb_5xx', alb, 'HTTPCode_ELB_5XX_Count', lb, 'Sum', period),
        metric('target_5xx', alb, 'HTTPCode_Target_5XX_Count', lb, 'Sum', period),
        {
          id: 'burn',
          expression: `100 * SUM([elb_5xx, target_5xx]) / SUM([requests, elb_5xx]) / ${budgetPercent(AVAILABILITY_OBJECTIVE)}`,
          label: 'Availability error-budget burn rate',
          return_data: true,
        },
      ];
    },
  },
  {
    key: 'latency',
    title: 'Latency',
    objectivePercent: LATENCY_OBJECTIVE,
    promise: `${LATENCY_OBJECTIVE}% of GET /picus/get requests take at most ${LATENCY_THRESHOLD_MS} ms in the app (p99 ≤ ${LATENCY_THRESHOLD_MS} ms), over ${SLO_WINDOW_DAYS} days`,
    firstCheck:
      "the dashboard's store latency p99 against latency p99 for get: if the store's time is most of it, DynamoDB is slow or throttling (dynamodb-throttles); if not, our code or the tasks (CPU, a recent deploy). The saved query latency-by-operation splits it per operation.",
    // The app's own Latency (EMF) of the get operation, every outcome: the load balancer cannot
    // tell one path from another behind a target group. PR(:100) is the percentage of requests
    // at or under 100 ms (percentile rank, upper bound inclusive), so 100 − PR is the slow share.
    burnRateQueries: (_refs, period) => [
      metric(
        'within',
        METRICS_NAMESPACE,
        METRICS.latency.name,
        perOperation(LATENCY_OPERATION),
        `PR(:${LATENCY_THRESHOLD_MS})`,
        period,
      ),
      {
        id: 'burn',
        expression: `(100 - within) / ${budgetPercent(LATENCY_OBJECTIVE)}`,
        label: 'Latency error-budget burn rate',
        return_data: true,
      },
    ],
  },
];
