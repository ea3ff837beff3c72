// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests compare against Terraform interpolation strings.
/**
 * The observability the generated stack deploys, checked offline against the app's log lines
 * (request-log-lines.ts) and the metrics contract: every saved query parses as Logs Insights and
 * reads only fields those lines have; every alarm's and dashboard widget's metric math is
 * well formed and reads only metrics that are emitted (by AWS for the resources, by the app's
 * EMF for namespace Picus); the SLO alarms compute the burn rate they claim.
 */
import { describe, expect, test } from 'bun:test';
import {
  DIMENSION_SETS,
  DIMENSIONS,
  METRIC_OPERATIONS,
  METRICS,
  METRICS_NAMESPACE,
  OUTCOMES,
  SERVER_ERROR_OUTCOMES,
} from '../../contracts/metrics.ts';
import { type LogSource, REQUEST_ID_PLACEHOLDER, SAVED_QUERIES } from '../src/saved-queries.ts';
import { BURN_ALERTS, budgetSpent, SLO_WINDOW_DAYS, SLOS, windowLabel } from '../src/slos.ts';
import { checkLogsInsightsQuery, LogsInsightsError, logLineFields } from './logs-insights.ts';
import { evaluate, idsOf, type MetricMathError, parseMetricMath, QUERY_ID } from './metric-math.ts';
import { CONTAINER_LINES, LAMBDA_LINES } from './request-log-lines.ts';
import { type Any, parsedStack } from './stack.ts';

const s = parsedStack();
const LINES: Record<LogSource, readonly string[]> = { container: CONTAINER_LINES, lambda: LAMBDA_LINES };
const LOG_GROUPS: Record<LogSource, string> = {
  container: '${aws_cloudwatch_log_group.app.name}',
  lambda: '${aws_cloudwatch_log_group.lambda.name}',
};
const fieldsOf = (sources: readonly LogSource[]) =>
  new Set(sources.flatMap((source) => LINES[source].flatMap(logLineFields)));

/** What AWS publishes for the resources we alarm on and graph: metric → its dimension sets. */
const AWS_METRICS: Record<string, Record<string, string[][]>> = {
  'AWS/ApplicationELB': {
    RequestCount: [['LoadBalancer']],
    HTTPCode_ELB_5XX_Count: [['LoadBalancer']],
    HTTPCode_Target_5XX_Count: [['LoadBalancer']],
    HTTPCode_Target_4XX_Count: [['LoadBalancer']],
    TargetResponseTime: [['LoadBalancer']],
    UnHealthyHostCount: [['LoadBalancer', 'TargetGroup']],
  },
  'AWS/Lambda': Object.fromEntries(
    ['Errors', 'Throttles', 'Duration', 'Invocations', 'ConcurrentExecutions'].map((m) => [
      m,
      [['FunctionName'], ['FunctionName', 'Resource']],
    ]),
  ),
  'AWS/DynamoDB': {
    ReadThrottleEvents: [['TableName']],
    WriteThrottleEvents: [['TableName']],
    ConsumedReadCapacityUnits: [['TableName']],
    ConsumedWriteCapacityUnits: [['TableName']],
    SystemErrors: [['TableName', 'Operation']],
    SuccessfulRequestLatency: [['TableName', 'Operation']],
  },
  'AWS/ECS': {
    CPUUtilization: [['ClusterName', 'ServiceName']],
    MemoryUtilization: [['ClusterName', 'ServiceName']],
  },
  'ECS/ContainerInsights': {
    RunningTaskCount: [['ClusterName', 'ServiceName']],
    DesiredTaskCount: [['ClusterName', 'ServiceName']],
  },
};

/** The app's metrics as its log lines declare them: name → the dimension sets it is published under. */
function emfDeclarations(): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  for (const line of [...CONTAINER_LINES, ...LAMBDA_LINES]) {
    for (const directive of JSON.parse(line)._aws?.CloudWatchMetrics ?? []) {
      if (directive.Namespace !== METRICS_NAMESPACE) continue;
      for (const m of directive.Metrics) out.set(m.Name, directive.Dimensions);
    }
  }
  return out;
}

/** Why `namespace/name{dimensions}` is not a metric anything emits, or undefined when it is. */
function notEmitted(namespace: string, name: string, dimensions: Record<string, string>): string | undefined {
  const keys = Object.keys(dimensions).sort().join(',');
  const sets = namespace === METRICS_NAMESPACE ? emfDeclarations().get(name) : AWS_METRICS[namespace]?.[name];
  if (!sets) return `${namespace} ${name} is not emitted`;
  if (!sets.some((set) => [...set].sort().join(',') === keys))
    return `${namespace} ${name} is not published with dimensions [${keys}]`;
  if (namespace === METRICS_NAMESPACE) {
    const op = dimensions[DIMENSIONS.operation];
    const outcome = dimensions[DIMENSIONS.outcome];
    if (!(METRIC_OPERATIONS as readonly string[]).includes(op as string)) return `no operation ${op}`;
    if (outcome !== undefined && !(OUTCOMES as readonly string[]).includes(outcome))
      return `no outcome ${outcome}`;
  }
  return undefined;
}

/** The metrics and expressions of an alarm, as metric-math queries. */
function alarmQueries(a: Any): Any[] {
  if (a.metric_query) return a.metric_query;
  return [
    {
      id: 'm',
      return_data: true,
      metric: {
        namespace: a.namespace,
        metric_name: a.metric_name,
        dimensions: a.dimensions,
        period: a.period,
      },
    },
  ];
}

/** Problems with a list of metric-math queries (an alarm's, or a widget's). */
function queryProblems(queries: Any[]): string[] {
  const problems: string[] = [];
  const ids = queries.map((q) => q.id);
  if (new Set(ids).size !== ids.length) problems.push(`duplicate ids ${ids}`);
  for (const q of queries) {
    if (!QUERY_ID.test(q.id)) problems.push(`bad id ${q.id}`);
    if (q.expression) {
      try {
        for (const id of idsOf(parseMetricMath(q.expression)))
          if (!ids.includes(id) || id === q.id)
            problems.push(`${q.expression} reads ${id}, which is not a query here`);
      } catch (e) {
        problems.push((e as MetricMathError).message);
      }
    } else {
      const why = notEmitted(q.metric.namespace, q.metric.metric_name, q.metric.dimensions ?? {});
      if (why) problems.push(why);
    }
  }
  return problems;
}

describe('the request log lines these checks use', () => {
  test("declare the contract's metrics: namespace, dimension sets, names and units, each with a value", () => {
    const units = Object.fromEntries(Object.values(METRICS).map((m) => [m.name, m.unit]));
    for (const line of [...CONTAINER_LINES, ...LAMBDA_LINES]) {
      const entry = JSON.parse(line);
      if (!entry._aws) {
        expect(entry[DIMENSIONS.operation]).toBeUndefined();
        expect(entry[DIMENSIONS.outcome]).toBeUndefined();
        continue;
      }
      const [directive, ...more] = entry._aws.CloudWatchMetrics;
      expect(more).toEqual([]);
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      expect(directive.Dimensions).toEqual(DIMENSION_SETS);
      for (const m of directive.Metrics) {
        expect(units[m.Name], m.Name).toBe(m.Unit);
        expect(typeof entry[m.Name], m.Name).toBe('number');
      }
      expect(METRIC_OPERATIONS).toContain(entry[DIMENSIONS.operation]);
      expect(OUTCOMES).toContain(entry[DIMENSIONS.outcome]);
    }
  });

  test('a 5xx line carries its cause and an outcome counted as a server error', () => {
    const errors = CONTAINER_LINES.map((l) => JSON.parse(l)).filter((e) => e.status >= 500);
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) {
      expect(e.level).toBe('error');
      expect(e.error).toMatch(/^\w+: /);
      expect(SERVER_ERROR_OUTCOMES).toContain(e.Outcome);
    }
  });
});

describe('saved Logs Insights queries', () => {
  const definitions = s.resources('aws_cloudwatch_query_definition');

  test("one per question, in the stack's folder, over the log groups whose lines they read", () => {
    expect(SAVED_QUERIES.map((q) => q.key)).toEqual([
      'errors-by-operation',
      'latency-by-operation',
      'request-story',
      'top-callers',
      'idempotency-conflicts',
    ]);
    expect(Object.keys(definitions).length).toBe(SAVED_QUERIES.length);
    for (const q of SAVED_QUERIES) {
      const d = definitions[q.key.replace(/-/g, '_')];
      expect(d.name).toBe(`\${local.name_prefix}/${q.key}`);
      // What aws_cloudwatch_query_definition accepts: no colon or asterisk, no leading or trailing slash.
      expect(d.name).toMatch(/^([^:*/]+\/?)*[^:*/]+$/);
      expect(d.log_group_names).toEqual(q.sources.map((source) => LOG_GROUPS[source]));
    }
  });

  test.each(SAVED_QUERIES.map((q) => [q.key, q] as const))(
    '%s parses as Logs Insights and reads only fields its log lines have',
    (key, q) => {
      const text = definitions[key.replace(/-/g, '_')].query_string as string;
      const check = checkLogsInsightsQuery(text, fieldsOf(q.sources));
      expect(check.fieldsRead.length).toBeGreaterThan(0);
      // It says what it answers before it asks.
      expect(text.split('\n')[0]).toMatch(/^# \S/);
    },
  );

  test('the queries read what the questions are about', () => {
    const read = (key: string) => {
      const q = SAVED_QUERIES.find((x) => x.key === key) as (typeof SAVED_QUERIES)[number];
      return checkLogsInsightsQuery(definitions[key.replace(/-/g, '_')].query_string, fieldsOf(q.sources));
    };
    expect(read('errors-by-operation').fieldsRead).toEqual(
      expect.arrayContaining(['status', 'error', 'Operation']),
    );
    expect(read('errors-by-operation').columns).toEqual(
      expect.arrayContaining(['errors', 'latest_cause', 'Operation', 'error_kind']),
    );
    expect(read('latency-by-operation').columns).toEqual(
      expect.arrayContaining(['p50_ms', 'p99_ms', 'store_p99_ms', 'Operation']),
    );
    expect(read('request-story').fieldsRead).toContain('request_id');
    expect(read('top-callers').columns).toEqual(expect.arrayContaining(['client_id', 'requests']));
    expect(read('idempotency-conflicts').fieldsRead).toContain(METRICS.idempotencyConflict.name);
  });

  test('the request story names the id to paste and says the ALB access logs are in S3', () => {
    const text = definitions.request_story.query_string as string;
    expect(text).toContain(`request_id = "${REQUEST_ID_PLACEHOLDER}"`);
    expect(text).toContain('s3://${aws_s3_bucket.alb_logs.bucket}/alb/');
    expect(text).toContain('not CloudWatch Logs');
  });

  const fields = fieldsOf(['container', 'lambda']);
  test.each([
    ['an unknown command', 'fields status | where status > 1', 'expected a command'],
    ['a field no log line has', 'filter statsu >= 500', 'unknown field statsu'],
    ['an aggregation outside stats', 'filter count(*) > 1', 'allowed only in stats'],
    ['a column stats dropped', 'stats count(*) as n by Operation | sort status', 'unknown field status'],
    ['an unknown function', 'fields lower(path) as p', 'unknown function lower()'],
    ['a wrong argument count', 'stats pct(latency_ms) as p by Operation', 'takes 2..2 arguments'],
    ['an unclosed parenthesis', 'filter (status >= 500', 'expected ")"'],
    ['an unterminated string', 'filter request_id = "abc', 'unterminated string'],
    ['a parse regex without names', 'parse error /^[^:]+:/', 'named groups'],
    ['a missing pipe', 'filter status >= 500 sort status', 'expected "|"'],
    ['a limit out of range', 'limit 0', 'limit needs'],
    ['an expression without a name', 'fields status + 1', 'needs a name'],
  ])('the checker refuses %s', (_what, query, message) => {
    expect(() => checkLogsInsightsQuery(query, fields)).toThrow(LogsInsightsError);
    expect(() => checkLogsInsightsQuery(query, fields)).toThrow(message);
  });
});

describe('SLO alarms', () => {
  const alarms = s.resources('aws_cloudwatch_metric_alarm');
  const composites = s.resources('aws_cloudwatch_composite_alarm');
  const ref = (key: string) => `\${aws_cloudwatch_metric_alarm.${key}.alarm_name}`;

  test('each objective has a fast and a slow alert: a composite of two window alarms, notifying the topic', () => {
    expect(Object.keys(composites).sort()).toEqual(
      SLOS.flatMap((slo) => BURN_ALERTS.map((a) => `slo_${slo.key}_${a.speed}_burn`)).sort(),
    );
    for (const slo of SLOS) {
      for (const alert of BURN_ALERTS) {
        const [long, short] = [alert.longSeconds, alert.shortSeconds].map(
          (seconds) => `slo_${slo.key}_burn_${windowLabel(seconds)}`,
        ) as [string, string];
        const composite = composites[`slo_${slo.key}_${alert.speed}_burn`];
        expect(composite).toMatchObject({
          alarm_name: `\${local.name_prefix}-slo-${slo.key}-${alert.speed}-burn`,
          alarm_rule: `ALARM("${ref(long)}") AND ALARM("${ref(short)}")`,
          alarm_actions: ['${aws_sns_topic.alarms.arn}'],
          ok_actions: ['${aws_sns_topic.alarms.arn}'],
        });
        expect(composite.alarm_description).toContain('First check:');
        for (const [key, seconds] of [
          [long, alert.longSeconds],
          [short, alert.shortSeconds],
        ] as const) {
          const a = alarms[key];
          expect(a, key).toMatchObject({
            threshold: alert.burnRate,
            comparison_operator: 'GreaterThanThreshold',
            evaluation_periods: 1,
            datapoints_to_alarm: 1,
            treat_missing_data: 'notBreaching',
          });
          // A window alone pages nobody.
          expect(a.alarm_actions).toBeUndefined();
          expect(a.ok_actions).toBeUndefined();
          for (const q of a.metric_query) if (q.metric) expect(q.metric.period).toBe(seconds);
        }
      }
    }
  });

  test('the alerts are the SRE workbook’s: 14.4× over 1 h and 5 min, 6× over 6 h and 30 min', () => {
    expect(
      BURN_ALERTS.map((a) => [a.burnRate, windowLabel(a.longSeconds), windowLabel(a.shortSeconds)]),
    ).toEqual([
      [14.4, '1h', '5m'],
      [6, '6h', '30m'],
    ]);
    expect(SLO_WINDOW_DAYS).toBe(30);
    // 2% and 5% of the 30-day budget.
    expect(BURN_ALERTS.map((a) => Number(budgetSpent(a).toFixed(6)))).toEqual([0.02, 0.05]);
    expect(SLOS.map((slo) => [slo.key, slo.objectivePercent])).toEqual([
      ['availability', 99.9],
      ['latency', 99],
    ]);
  });

  const burnExpression = (key: string) => {
    const q = alarms[key].metric_query.find((x: Any) => x.return_data);
    return parseMetricMath(q.expression);
  };

  test('availability burns 1× when 0.1% of requests are 5xx, counts an outage with no target, and no 5xx as no burn', () => {
    const burn = burnExpression('slo_availability_burn_1h');
    expect(evaluate(burn, { requests: 10_000, target_5xx: 10, elb_5xx: undefined })).toBeCloseTo(1, 9);
    expect(evaluate(burn, { requests: 10_000, target_5xx: 100, elb_5xx: 44 })).toBeCloseTo(14.34, 2);
    // ALB 5xx with no target chosen are not in RequestCount: everything failed, burn = 1000×.
    expect(evaluate(burn, { requests: undefined, target_5xx: undefined, elb_5xx: 50 })).toBeCloseTo(1000, 9);
    // No 5xx series at all: no data point, which the alarm treats as not breaching.
    expect(evaluate(burn, { requests: 10_000, target_5xx: undefined, elb_5xx: undefined })).toBeUndefined();
    expect(alarms.slo_availability_burn_1h.treat_missing_data).toBe('notBreaching');
  });

  test('latency burns 1× when 99% of gets are within 100 ms, 14.4× when 85.6% are', () => {
    const burn = burnExpression('slo_latency_burn_5m');
    expect(evaluate(burn, { within: 99 })).toBeCloseTo(1, 9);
    expect(evaluate(burn, { within: 85.6 })).toBeCloseTo(14.4, 9);
    expect(evaluate(burn, { within: 100 })).toBe(0);
    const within = alarms.slo_latency_burn_5m.metric_query.find((q: Any) => q.id === 'within').metric;
    expect(within).toMatchObject({
      namespace: METRICS_NAMESPACE,
      metric_name: METRICS.latency.name,
      dimensions: { [DIMENSIONS.operation]: 'get' },
      stat: 'PR(:100)',
    });
  });
});

describe('every alarm', () => {
  const metricAlarms = Object.entries(s.resources('aws_cloudwatch_metric_alarm'));

  test.each(metricAlarms)('%s: its metric math is well formed and reads only emitted metrics', (_key, a) => {
    expect(queryProblems(alarmQueries(a))).toEqual([]);
    const queries = alarmQueries(a);
    expect(queries.filter((q: Any) => q.return_data).length).toBe(1);
    // CloudWatch: one period for every metric of an alarm, a multiple of a minute, at most a day in all.
    const periods = new Set(
      queries.filter((q: Any) => q.metric).map((q: Any) => q.metric.period ?? a.period),
    );
    expect(periods.size).toBe(1);
    const [period] = [...periods] as number[];
    expect((period as number) % 60).toBe(0);
    expect((period as number) * a.evaluation_periods).toBeLessThanOrEqual(86_400);
    expect(a.alarm_description.length).toBeLessThanOrEqual(1024);
  });

  test('composite alarms name only alarms the stack defines, and say what they mean within 1024 characters', () => {
    for (const c of Object.values(s.resources('aws_cloudwatch_composite_alarm')) as Any[]) {
      for (const [, key] of (c.alarm_rule as string).matchAll(
        /aws_cloudwatch_metric_alarm\.([a-z0-9_]+)\.alarm_name/g,
      ))
        expect(s.resources('aws_cloudwatch_metric_alarm')[key as string], key).toBeDefined();
      expect(c.alarm_description.length).toBeLessThanOrEqual(1024);
    }
  });
});

describe("the dashboard's app widgets", () => {
  const body = JSON.parse(s.resource('aws_cloudwatch_dashboard', 'golden_signals').dashboard_body);
  const graphs = body.widgets.filter((w: Any) => w.type === 'metric');

  /** A widget's metric rows as metric-math queries (rows without an id get one). */
  const widgetQueries = (w: Any): Any[] =>
    w.properties.metrics.map((row: Any[], i: number) => {
      const last = row.at(-1);
      const options = typeof last === 'object' ? last : {};
      if (options.expression) return { id: options.id, expression: options.expression };
      const plain = (typeof last === 'object' ? row.slice(0, -1) : row) as string[];
      const [namespace, name, ...dims] = plain;
      const dimensions: Record<string, string> = {};
      for (let d = 0; d < dims.length; d += 2) dimensions[dims[d] as string] = dims[d + 1] as string;
      return { id: options.id ?? `row${i}`, metric: { namespace, metric_name: name, dimensions } };
    });

  test.each(graphs.map((w: Any) => [w.properties.title, w]))(
    '%s: graphs only emitted metrics, and its expressions read its own rows',
    (_title, w) => {
      expect(queryProblems(widgetQueries(w))).toEqual([]);
    },
  );

  test('requests, 5xx, latency p99 and item store latency p99 for every operation; the SLO burn rates with the alert thresholds', () => {
    const byTitle = Object.fromEntries(graphs.map((w: Any) => [w.properties.title, w.properties]));
    const operationsOf = (title: string, metric: string) =>
      byTitle[title].metrics
        .filter((row: Any[]) => row[0] === METRICS_NAMESPACE && row[1] === metric)
        .map((row: Any[]) => row[3]);
    expect(operationsOf('Requests', METRICS.requests.name)).toEqual([...METRIC_OPERATIONS]);
    expect(operationsOf('Latency p99 (ms)', METRICS.latency.name)).toEqual([...METRIC_OPERATIONS]);
    expect(byTitle['Latency p99 (ms)'].stat).toBe('p99');
    expect(operationsOf('Item store latency p99 (ms)', METRICS.storeLatency.name)).toEqual([
      ...METRIC_OPERATIONS,
    ]);
    const errors = byTitle['Server errors (5xx)'].metrics.filter((row: Any[]) => row[0]?.expression);
    expect(errors.map((row: Any[]) => row[0].label)).toEqual([...METRIC_OPERATIONS]);
    for (const slo of SLOS) {
      const w = byTitle[`${slo.title}: ${slo.promise}`];
      expect(w.annotations.horizontal.map((l: Any) => l.value)).toEqual(BURN_ALERTS.map((a) => a.burnRate));
    }
  });
});
