/**
 * Observability: SNS alarm topic with an e-mail subscription, the alarms an on-call engineer
 * needs (ALB 5xx, unhealthy hosts, p99 latency, Lambda errors/throttles, DynamoDB throttles and
 * system errors, ECS running < desired), the SLO burn-rate alarms (slo-alarms.ts), the saved
 * Logs Insights queries (saved-queries.ts) and the golden-signals dashboard (dashboard.ts).
 *
 * The deploy alarms are what a gradual Lambda shift watches (scripts/deploy/lambda-deploy.sh):
 * errors and throttles of the `live` alias, which a weighted alias emits for both versions,
 * judged on one minute so they can trip within a canary, and the two ALB 5xx alarms.
 */
import { dashboardBody, TABLE_OPERATIONS } from './dashboard.ts';
import { savedQueries } from './saved-queries.ts';
import type { Settings } from './settings.ts';
import { sloAlarms } from './slo-alarms.ts';
import { type Body, type Expr, type Fragment, type Json, jsonDoc, tpl } from './tf.ts';

export interface ObservabilityRefs {
  albArnSuffix: Expr;
  containerTgArnSuffix: Expr;
  lambdaTgArnSuffix: Expr;
  clusterName: Expr;
  serviceName: Expr;
  functionName: Expr;
  aliasName: Expr;
  tableName: Expr;
  appLogGroup: Expr;
  lambdaLogGroup: Expr;
  accessLogBucket: Expr;
}

export function observability(f: Fragment, s: Settings, r: ObservabilityRefs) {
  const { v, name } = s;
  const topic = f.resource<'arn'>('aws_sns_topic', 'alarms', {
    name: tpl`${name}-alarms`,
    tags: { Name: tpl`${name}-alarms` },
  });
  f.resource('aws_sns_topic_subscription', 'alarm_email', {
    topic_arn: topic.attr('arn'),
    protocol: 'email',
    endpoint: v.alarmEmail.ref,
  });

  const actions = { alarm_actions: [topic.attr('arn')], ok_actions: [topic.attr('arn')] };
  const alb = { LoadBalancer: r.albArnSuffix };
  const alarm = (key: string, description: string, body: Body) =>
    f.resource<'alarm_name' | 'arn'>('aws_cloudwatch_metric_alarm', key, {
      alarm_name: tpl`${name}-${key.replace(/_/g, '-')}`,
      alarm_description: description,
      treat_missing_data: 'notBreaching',
      ...actions,
      ...body,
    });

  const albElb5xx = alarm(
    'alb_elb_5xx',
    'The load balancer itself returned 5xx responses (no healthy target, misconfiguration).',
    {
      namespace: 'AWS/ApplicationELB',
      metric_name: 'HTTPCode_ELB_5XX_Count',
      dimensions: alb,
      statistic: 'Sum',
      period: 60,
      evaluation_periods: 5,
      datapoints_to_alarm: 3,
      threshold: 10,
      comparison_operator: 'GreaterThanThreshold',
    },
  );
  const albTarget5xx = alarm('alb_target_5xx', 'Targets (container or Lambda) returned 5xx responses.', {
    namespace: 'AWS/ApplicationELB',
    metric_name: 'HTTPCode_Target_5XX_Count',
    dimensions: alb,
    statistic: 'Sum',
    period: 60,
    evaluation_periods: 5,
    datapoints_to_alarm: 3,
    threshold: 10,
    comparison_operator: 'GreaterThanThreshold',
  });
  alarm('unhealthy_hosts', 'At least one ECS task fails the ALB health check.', {
    namespace: 'AWS/ApplicationELB',
    metric_name: 'UnHealthyHostCount',
    dimensions: { ...alb, TargetGroup: r.containerTgArnSuffix },
    statistic: 'Maximum',
    period: 60,
    evaluation_periods: 3,
    datapoints_to_alarm: 3,
    threshold: 0,
    comparison_operator: 'GreaterThanThreshold',
  });
  alarm('latency_p99', 'p99 target response time above 1 s.', {
    namespace: 'AWS/ApplicationELB',
    metric_name: 'TargetResponseTime',
    dimensions: alb,
    extended_statistic: 'p99',
    period: 60,
    evaluation_periods: 5,
    datapoints_to_alarm: 3,
    threshold: 1,
    comparison_operator: 'GreaterThanThreshold',
  });
  const fnDims = { FunctionName: r.functionName };
  alarm('lambda_errors', 'The delete function raised errors.', {
    namespace: 'AWS/Lambda',
    metric_name: 'Errors',
    dimensions: fnDims,
    statistic: 'Sum',
    period: 60,
    evaluation_periods: 5,
    datapoints_to_alarm: 2,
    threshold: 0,
    comparison_operator: 'GreaterThanThreshold',
  });
  alarm(
    'lambda_throttles',
    'The delete function was throttled (account or reserved concurrency exhausted).',
    {
      namespace: 'AWS/Lambda',
      metric_name: 'Throttles',
      dimensions: fnDims,
      statistic: 'Sum',
      period: 60,
      evaluation_periods: 5,
      datapoints_to_alarm: 2,
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
    },
  );

  // Metrics of invocations through the alias (FunctionName + Resource "<function>:<alias>"),
  // both versions of a weighted shift included; one breaching minute is enough to stop it.
  const aliasDims = { FunctionName: r.functionName, Resource: tpl`${r.functionName}:${r.aliasName}` };
  const aliasAlarm = (key: string, description: string, metric: 'Errors' | 'Throttles') =>
    alarm(key, description, {
      namespace: 'AWS/Lambda',
      metric_name: metric,
      dimensions: aliasDims,
      statistic: 'Sum',
      period: 60,
      evaluation_periods: 1,
      datapoints_to_alarm: 1,
      threshold: 0,
      comparison_operator: 'GreaterThanThreshold',
    });
  const aliasErrors = aliasAlarm(
    'lambda_alias_errors',
    'Invocations through the live alias raised errors (watched during a deploy; rolls it back).',
    'Errors',
  );
  const aliasThrottles = aliasAlarm(
    'lambda_alias_throttles',
    'Invocations through the live alias were throttled (watched during a deploy; rolls it back).',
    'Throttles',
  );
  const deployAlarms = [aliasErrors, aliasThrottles, albTarget5xx, albElb5xx];

  const metricQuery = (
    id: string,
    namespace: string,
    metric: string,
    dims: Record<string, Json>,
    stat: string,
  ) => ({
    id,
    return_data: false,
    metric: { namespace, metric_name: metric, dimensions: dims, stat, period: 60 },
  });
  const table = { TableName: r.tableName };
  alarm('dynamodb_throttles', 'DynamoDB throttled reads or writes on the table.', {
    evaluation_periods: 5,
    datapoints_to_alarm: 2,
    threshold: 0,
    comparison_operator: 'GreaterThanThreshold',
    metric_query: [
      metricQuery('reads', 'AWS/DynamoDB', 'ReadThrottleEvents', table, 'Sum'),
      metricQuery('writes', 'AWS/DynamoDB', 'WriteThrottleEvents', table, 'Sum'),
      { id: 'throttles', expression: 'reads + writes', label: 'Throttle events', return_data: true },
    ],
  });
  alarm('dynamodb_system_errors', 'DynamoDB returned HTTP 500 (system errors) for the table.', {
    evaluation_periods: 5,
    datapoints_to_alarm: 2,
    threshold: 0,
    comparison_operator: 'GreaterThanThreshold',
    metric_query: [
      ...TABLE_OPERATIONS.map((op) =>
        metricQuery(op.toLowerCase(), 'AWS/DynamoDB', 'SystemErrors', { ...table, Operation: op }, 'Sum'),
      ),
      {
        id: 'errors',
        expression: TABLE_OPERATIONS.map((op) => op.toLowerCase()).join(' + '),
        label: 'System errors',
        return_data: true,
      },
    ],
  });
  const ecs = { ClusterName: r.clusterName, ServiceName: r.serviceName };
  alarm('ecs_running_below_desired', 'Fewer ECS tasks are running than desired (Container Insights).', {
    evaluation_periods: 5,
    datapoints_to_alarm: 5,
    threshold: 0,
    comparison_operator: 'GreaterThanThreshold',
    treat_missing_data: 'breaching',
    metric_query: [
      metricQuery('desired', 'ECS/ContainerInsights', 'DesiredTaskCount', ecs, 'Average'),
      metricQuery('running', 'ECS/ContainerInsights', 'RunningTaskCount', ecs, 'Average'),
      { id: 'missing', expression: 'desired - running', label: 'Tasks missing', return_data: true },
    ],
  });

  sloAlarms(f, { name, topicArn: topic.attr('arn'), albArnSuffix: r.albArnSuffix });
  savedQueries(f, {
    name,
    appLogGroup: r.appLogGroup,
    lambdaLogGroup: r.lambdaLogGroup,
    accessLogBucket: r.accessLogBucket,
  });

  const dashboard = f.resource<'dashboard_name'>('aws_cloudwatch_dashboard', 'golden_signals', {
    dashboard_name: tpl`${name}-golden-signals`,
    dashboard_body: jsonDoc(dashboardBody(s.v.region.ref, r)),
  });

  return {
    topicArn: topic.attr('arn'),
    deployAlarmNames: deployAlarms.map((a) => a.attr('alarm_name')),
    deployAlarmArns: deployAlarms.map((a) => a.attr('arn')),
    dashboardUrl: tpl`https://${v.region.ref}.console.aws.amazon.com/cloudwatch/home?region=${v.region.ref}#dashboards:name=${dashboard.attr('dashboard_name')}`,
  };
}
