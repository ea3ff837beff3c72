/**
 * The golden-signals dashboard: the AWS services' own metrics (ALB, ECS, Lambda, DynamoDB) and
 * the app's (EMF, namespace Picus: requests, 5xx and latency by operation, the item store's
 * latency, idempotency) with the SLOs' burn rates.
 */
import { METRIC_OPERATIONS, METRICS, SERVER_ERROR_OUTCOMES } from '../../contracts/metrics.ts';
import { type AppMetricName, dashboardMetric, perOperation, perOutcome } from './app-metrics.ts';
import { BURN_ALERTS, SLOS } from './slos.ts';
import type { Expr, Json } from './tf.ts';

export interface DashboardRefs {
  albArnSuffix: Expr;
  clusterName: Expr;
  serviceName: Expr;
  functionName: Expr;
  tableName: Expr;
}

/** Table operations the service performs (DynamoDB's SystemErrors is per operation). */
export const TABLE_OPERATIONS = ['DeleteItem', 'GetItem', 'PutItem', 'Scan'];

interface Panel {
  title: string;
  metrics: Json[];
  stat?: string;
  period?: number;
  stacked?: boolean;
  /** Horizontal lines (the burn-rate alert thresholds). */
  lines?: { value: number; label: string }[];
}

/** Metric-math queries (an alarm's `metric_query`) as dashboard rows: metrics hidden, expressions shown. */
function asDashboardRows(queries: Json[]): Json[] {
  return queries.map((q) => {
    const query = q as {
      id: string;
      expression?: string;
      label?: string;
      metric?: { namespace: string; metric_name: string; dimensions: Record<string, Json>; stat: string };
    };
    if (query.expression)
      return [{ expression: query.expression, label: query.label ?? query.id, id: query.id }];
    const m = query.metric as NonNullable<typeof query.metric>;
    return [
      m.namespace,
      m.metric_name,
      ...Object.entries(m.dimensions).flat(),
      { id: query.id, stat: m.stat, visible: false },
    ];
  });
}

export function dashboardBody(region: Expr, r: DashboardRefs): Json {
  const lb = ['LoadBalancer', r.albArnSuffix];
  const fnName = ['FunctionName', r.functionName];
  const table = ['TableName', r.tableName];
  const ecs = ['ClusterName', r.clusterName, 'ServiceName', r.serviceName];
  let y = 0;
  const widgets: Json[] = [];
  const row = (title: string, panels: Panel[]) => {
    widgets.push({ type: 'text', x: 0, y, width: 24, height: 1, properties: { markdown: `## ${title}` } });
    y += 1;
    const width = 24 / panels.length;
    panels.forEach((p, i) => {
      widgets.push({
        type: 'metric',
        x: i * width,
        y,
        width,
        height: 6,
        properties: {
          title: p.title,
          region,
          view: 'timeSeries',
          stacked: p.stacked ?? false,
          period: p.period ?? 60,
          stat: p.stat ?? 'Sum',
          metrics: p.metrics,
          ...(p.lines ? { annotations: { horizontal: p.lines } } : {}),
        },
      });
    });
    y += 6;
  };
  row('Latency', [
    {
      title: 'ALB target response time (s)',
      stat: 'p99',
      metrics: [
        ['AWS/ApplicationELB', 'TargetResponseTime', ...lb, { stat: 'p50', label: 'p50' }],
        ['AWS/ApplicationELB', 'TargetResponseTime', ...lb, { stat: 'p95', label: 'p95' }],
        ['AWS/ApplicationELB', 'TargetResponseTime', ...lb, { stat: 'p99', label: 'p99' }],
      ],
    },
    {
      title: 'Lambda duration (ms)',
      stat: 'p99',
      metrics: [
        ['AWS/Lambda', 'Duration', ...fnName, { stat: 'p50', label: 'p50' }],
        ['AWS/Lambda', 'Duration', ...fnName, { stat: 'p95', label: 'p95' }],
        ['AWS/Lambda', 'Duration', ...fnName, { stat: 'p99', label: 'p99' }],
      ],
    },
    {
      title: 'DynamoDB successful request latency (ms)',
      stat: 'Average',
      metrics: TABLE_OPERATIONS.map((op) => [
        'AWS/DynamoDB',
        'SuccessfulRequestLatency',
        ...table,
        'Operation',
        op,
      ]),
    },
  ]);
  row('Traffic', [
    {
      title: 'ALB requests',
      metrics: [['AWS/ApplicationELB', 'RequestCount', ...lb]],
    },
    { title: 'Lambda invocations', metrics: [['AWS/Lambda', 'Invocations', ...fnName]] },
    {
      title: 'DynamoDB consumed capacity',
      metrics: [
        ['AWS/DynamoDB', 'ConsumedReadCapacityUnits', ...table],
        ['AWS/DynamoDB', 'ConsumedWriteCapacityUnits', ...table],
      ],
    },
  ]);
  row('Errors', [
    {
      title: 'ALB 5xx / 4xx',
      metrics: [
        ['AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', ...lb],
        ['AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count', ...lb],
        ['AWS/ApplicationELB', 'HTTPCode_Target_4XX_Count', ...lb],
      ],
    },
    {
      title: 'Lambda errors and throttles',
      metrics: [
        ['AWS/Lambda', 'Errors', ...fnName],
        ['AWS/Lambda', 'Throttles', ...fnName],
      ],
    },
    {
      title: 'DynamoDB throttles and errors',
      metrics: [
        ['AWS/DynamoDB', 'ReadThrottleEvents', ...table],
        ['AWS/DynamoDB', 'WriteThrottleEvents', ...table],
        ...TABLE_OPERATIONS.map((op) => ['AWS/DynamoDB', 'SystemErrors', ...table, 'Operation', op]),
      ],
    },
  ]);
  row('Saturation', [
    {
      title: 'ECS CPU / memory utilization (%)',
      stat: 'Average',
      metrics: [
        ['AWS/ECS', 'CPUUtilization', ...ecs],
        ['AWS/ECS', 'MemoryUtilization', ...ecs],
      ],
    },
    {
      title: 'ECS tasks running vs desired',
      stat: 'Average',
      metrics: [
        ['ECS/ContainerInsights', 'RunningTaskCount', ...ecs],
        ['ECS/ContainerInsights', 'DesiredTaskCount', ...ecs],
      ],
    },
    {
      title: 'Lambda concurrency',
      stat: 'Maximum',
      metrics: [['AWS/Lambda', 'ConcurrentExecutions', ...fnName]],
    },
  ]);

  // The app's own view, container and Lambda together (both write the same EMF lines).
  const byOperation = (metric: AppMetricName) =>
    METRIC_OPERATIONS.map((op) => dashboardMetric(metric, perOperation(op), { label: op }));
  row('Application (by operation)', [
    { title: 'Requests', metrics: byOperation(METRICS.requests.name) },
    {
      title: 'Server errors (5xx)',
      metrics: METRIC_OPERATIONS.flatMap((op) => {
        const ids = SERVER_ERROR_OUTCOMES.map((outcome) => `${op}_${outcome}`);
        return [
          ...SERVER_ERROR_OUTCOMES.map((outcome) =>
            dashboardMetric(METRICS.requests.name, perOutcome(op, outcome), {
              id: `${op}_${outcome}`,
              visible: false,
            }),
          ),
          // SUM over an array adds the outcomes that happened; the others have no data point.
          [{ expression: `SUM([${ids.join(', ')}])`, label: op, id: `${op}_5xx` }],
        ];
      }),
    },
    { title: 'Latency p99 (ms)', stat: 'p99', metrics: byOperation(METRICS.latency.name) },
    { title: 'Item store latency p99 (ms)', stat: 'p99', metrics: byOperation(METRICS.storeLatency.name) },
  ]);
  const burnLines = BURN_ALERTS.map((a) => ({ value: a.burnRate, label: `${a.speed} burn` }));
  row('SLOs (error-budget burn rate over 5 minutes; 1 = exactly on budget)', [
    ...SLOS.map((slo) => ({
      title: `${slo.title}: ${slo.promise}`,
      period: 300,
      lines: burnLines,
      metrics: asDashboardRows(slo.burnRateQueries({ albArnSuffix: r.albArnSuffix }, 300)),
    })),
    {
      title: 'Idempotency-Key replays and conflicts (put)',
      metrics: [
        dashboardMetric(METRICS.idempotentReplay.name, perOperation('put'), { label: 'replayed' }),
        dashboardMetric(METRICS.idempotencyConflict.name, perOperation('put'), { label: 'conflict (409)' }),
      ],
    },
  ]);
  return { widgets };
}
