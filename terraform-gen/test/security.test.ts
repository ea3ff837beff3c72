// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests compare against Terraform interpolation strings.
/**
 * Security posture and the provider-side value checks the offline validator cannot run
 * (enums, conflicting arguments), asserted on the generated JSON.
 */
import { describe, expect, test } from 'bun:test';
import { APP_PORT, CONTAINER_HEALTHCHECK, LAMBDA, TABLE, TLS_POLICY } from '../src/constants.ts';
import { type Any, parsedStack } from './stack.ts';

const s = parsedStack();
const TABLE_ARN = '${aws_dynamodb_table.picus_data.arn}';
const allStatements = () =>
  Object.entries(s.files.get('identity.tf.json').data.aws_iam_policy_document).flatMap(([name, doc]) =>
    (doc as Any).statement.map((st: Any) => ({ doc: name, ...st })),
  );

describe('IAM least privilege', () => {
  test('no wildcard action anywhere', () => {
    for (const doc of s.files.values()) {
      for (const [name, pd] of Object.entries(doc.data?.aws_iam_policy_document ?? {})) {
        for (const st of (pd as Any).statement) {
          if (st.effect === 'Deny') continue;
          for (const action of st.actions) expect(action, `${name}/${st.sid}`).not.toContain('*');
        }
      }
    }
  });

  test('"*" resources only for actions that support no resource-level permissions', () => {
    const allowedStar = new Set([
      'ecr:GetAuthorizationToken',
      'ecs:RegisterTaskDefinition',
      'ecs:DescribeTaskDefinition',
    ]);
    for (const st of allStatements()) {
      if (!st.resources?.includes('*')) continue;
      expect(st.resources, `${st.doc}/${st.sid}`).toEqual(['*']);
      for (const action of st.actions)
        expect(allowedStar.has(action), `${st.doc}/${st.sid}: ${action}`).toBe(true);
    }
  });

  test('task role: exactly GetItem, PutItem, Scan, DescribeTable on the table', () => {
    expect(s.statements('task')).toEqual([
      {
        sid: 'TableAccess',
        effect: 'Allow',
        actions: ['dynamodb:DescribeTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan'],
        resources: [TABLE_ARN],
      },
    ]);
  });

  test('Lambda role: exactly DeleteItem on the table plus its own log group', () => {
    expect(s.statements('lambda')).toEqual([
      { sid: 'DeleteItem', effect: 'Allow', actions: ['dynamodb:DeleteItem'], resources: [TABLE_ARN] },
      {
        sid: 'WriteLogs',
        effect: 'Allow',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: ['${aws_cloudwatch_log_group.lambda.arn}:log-stream:*'],
      },
    ]);
  });

  test('execution role: pull from our repository, write our log group', () => {
    const st = s.statements('task_execution');
    expect(st.find((x: Any) => x.sid === 'PullImage').resources).toEqual(['${aws_ecr_repository.app.arn}']);
    expect(st.find((x: Any) => x.sid === 'WriteLogs').resources).toEqual([
      '${aws_cloudwatch_log_group.app.arn}:log-stream:*',
    ]);
  });

  test('roles are assumable only by their service, from this account', () => {
    for (const [doc, service] of [
      ['task_assume', 'ecs-tasks.amazonaws.com'],
      ['task_execution_assume', 'ecs-tasks.amazonaws.com'],
      ['lambda_assume', 'lambda.amazonaws.com'],
    ] as const) {
      const [st, ...rest] = s.statements(doc);
      expect(rest).toEqual([]);
      expect(st.actions).toEqual(['sts:AssumeRole']);
      expect(st.principals).toEqual([{ type: 'Service', identifiers: [service] }]);
      expect(st.condition).toContainEqual({
        test: 'StringEquals',
        variable: 'aws:SourceAccount',
        values: ['${data.aws_caller_identity.current.account_id}'],
      });
    }
  });

  test('deploy role: trusted only for the configured repository main branch via GitHub OIDC', () => {
    const [st, ...rest] = s.statements('deploy_assume');
    expect(rest).toEqual([]);
    expect(st.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(st.principals[0].type).toBe('Federated');
    expect(st.condition).toContainEqual({
      test: 'StringEquals',
      variable: 'token.actions.githubusercontent.com:sub',
      values: ['repo:${var.github_repository}:ref:refs/heads/main'],
    });
    expect(st.condition).toContainEqual({
      test: 'StringEquals',
      variable: 'token.actions.githubusercontent.com:aud',
      values: ['sts.amazonaws.com'],
    });
    expect(st.condition.some((c: Any) => c.test.includes('Like'))).toBe(false);
  });

  test('deploy role: push our repository, roll our service, PassRole our two ECS roles, update our function', () => {
    const bySid = Object.fromEntries(s.statements('deploy').map((x: Any) => [x.sid, x]));
    expect(bySid.PushImage.resources).toEqual(['${aws_ecr_repository.app.arn}']);
    expect(bySid.PushImage.actions).toContain('ecr:PutImage');
    expect(bySid.RollService.resources).toEqual(['${aws_ecs_service.app.arn}']);
    expect(bySid.RollService.actions).toEqual(['ecs:DescribeServices', 'ecs:UpdateService']);
    expect(bySid.PassOnlyOurEcsRoles.actions).toEqual(['iam:PassRole']);
    expect(bySid.PassOnlyOurEcsRoles.resources.sort()).toEqual(
      ['${aws_iam_role.task.arn}', '${aws_iam_role.task_execution.arn}'].sort(),
    );
    expect(bySid.PassOnlyOurEcsRoles.condition).toEqual([
      { test: 'StringEquals', variable: 'iam:PassedToService', values: ['ecs-tasks.amazonaws.com'] },
    ]);
    expect(bySid.UpdateFunction.resources).toEqual([
      '${aws_lambda_function.delete_item.arn}',
      '${aws_lambda_alias.live.arn}',
    ]);
    const actions = s.statements('deploy').flatMap((x: Any) => x.actions);
    for (const a of actions) expect(a).toMatch(/^(ecr|ecs|iam:PassRole$|lambda)/);
    expect(actions).not.toContain('iam:CreateRole');
  });
});

describe('network', () => {
  test('tasks run in private subnets without public IPs, reachable only from the ALB security group', () => {
    const svc = s.resource('aws_ecs_service', 'app');
    expect(svc.network_configuration).toEqual({
      subnets: '${aws_subnet.private[*].id}',
      security_groups: ['${aws_security_group.tasks.id}'],
      assign_public_ip: false,
    });
    const ingress = Object.values(s.resources('aws_vpc_security_group_ingress_rule')).filter(
      (r: Any) => r.security_group_id === '${aws_security_group.tasks.id}',
    );
    expect(ingress).toEqual([
      expect.objectContaining({
        from_port: APP_PORT,
        to_port: APP_PORT,
        ip_protocol: 'tcp',
        referenced_security_group_id: '${aws_security_group.alb.id}',
      }),
    ]);
    expect(s.resource('aws_subnet', 'private').map_public_ip_on_launch).toBe(false);
  });

  test('ALB open on 80 and 443 only, IPv4 and IPv6', () => {
    const ingress = Object.values(s.resources('aws_vpc_security_group_ingress_rule')).filter(
      (r: Any) => r.security_group_id === '${aws_security_group.alb.id}',
    );
    const seen = ingress.map((r: Any) => `${r.from_port}-${r.to_port}/${r.cidr_ipv4 ?? r.cidr_ipv6}`).sort();
    expect(seen).toEqual(['443-443/0.0.0.0/0', '443-443/::/0', '80-80/0.0.0.0/0', '80-80/::/0']);
  });

  test('DynamoDB gateway endpoint on the private route tables; NAT single or per AZ', () => {
    const ep = s.resource('aws_vpc_endpoint', 'dynamodb');
    expect(ep.vpc_endpoint_type).toBe('Gateway');
    expect(ep.service_name).toBe('com.amazonaws.${var.aws_region}.dynamodb');
    expect(ep.route_table_ids).toBe('${aws_route_table.private[*].id}');
    expect(s.resource('aws_nat_gateway', 'main').count).toBe(
      '${var.nat_gateway_mode == "per_az" ? var.az_count : 1}',
    );
  });
});

describe('load balancer and TLS', () => {
  const alb = s.resource('aws_lb', 'api');
  test('internet-facing, drops invalid headers, deletion protection as a variable, access logs on by default', () => {
    expect(alb.internal).toBe(false);
    expect(alb.load_balancer_type).toBe('application');
    expect(alb.drop_invalid_header_fields).toBe(true);
    expect(alb.enable_deletion_protection).toBe('${var.alb_deletion_protection}');
    expect(alb.access_logs.enabled).toBe('${var.alb_access_logs_enabled}');
    expect(s.variable('alb_access_logs_enabled').default).toBe(true);
    // provider enums
    expect(['defensive', 'strictest', 'monitor']).toContain(alb.desync_mitigation_mode);
    expect(['ipv4', 'dualstack', 'dualstack-without-public-ipv4']).toContain(alb.ip_address_type);
  });

  test('HTTPS listener uses a TLS 1.3 policy and the certificate; HTTP redirects with 301', () => {
    const https = s.resource('aws_lb_listener', 'https');
    expect(https.protocol).toBe('HTTPS');
    expect(https.port).toBe(443);
    expect(https.ssl_policy).toBe(TLS_POLICY);
    expect(https.ssl_policy).toMatch(/^ELBSecurityPolicy-TLS13-/);
    expect(https.certificate_arn).toBe('${local.certificate_arn}');
    const http = s.resource('aws_lb_listener', 'http');
    expect(http.default_action).toEqual([
      { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } },
    ]);
  });

  test('container target group: ip targets, /health check', () => {
    const tg = s.resource('aws_lb_target_group', 'container');
    expect(tg.target_type).toBe('ip');
    expect(tg.port).toBe(APP_PORT);
    expect(tg.health_check.path).toBe('/health');
    expect(s.resource('aws_lb_target_group', 'lambda').target_type).toBe('lambda');
  });

  test('certificate is DNS-validated when a hosted zone is given, with A/AAAA aliases', () => {
    const cert = s.resource('aws_acm_certificate', 'api');
    expect(cert.validation_method).toBe('DNS');
    expect(s.resource('aws_route53_record', 'api_a').alias.name).toBe('${aws_lb.api.dns_name}');
    expect(s.resource('aws_route53_record', 'api_aaaa').type).toBe('AAAA');
  });

  test('WAF: managed common + known-bad-inputs groups and a per-IP rate rule, associated and logged', () => {
    const acl = s.resource('aws_wafv2_web_acl', 'api');
    expect(acl.scope).toBe('REGIONAL');
    const groups = acl.rule.map((r: Any) => r.statement.managed_rule_group_statement?.name).filter(Boolean);
    expect(groups.sort()).toEqual(['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet']);
    const rate = acl.rule.find((r: Any) => r.statement.rate_based_statement);
    expect(rate.statement.rate_based_statement).toMatchObject({
      limit: '${var.waf_rate_limit}',
      aggregate_key_type: 'IP',
    });
    expect(rate.action).toEqual({ block: {} });
    // provider rule: a rule has action XOR override_action (override only for rule groups)
    for (const r of acl.rule) expect(Boolean(r.action) !== Boolean(r.override_action)).toBe(true);
    expect(new Set(acl.rule.map((r: Any) => r.priority)).size).toBe(acl.rule.length);
    expect(s.resource('aws_wafv2_web_acl_association', 'alb').resource_arn).toBe('${aws_lb.api.arn}');
    const logGroup = s.resource('aws_cloudwatch_log_group', 'waf');
    expect(logGroup.name).toMatch(/^aws-waf-logs-/);
    expect(s.resource('aws_wafv2_web_acl_logging_configuration', 'api').log_destination_configs).toEqual([
      '${aws_cloudwatch_log_group.waf.arn}',
    ]);
  });

  test('access-log bucket: encrypted, private, TLS-only, expiring', () => {
    expect(
      s.resource('aws_s3_bucket_server_side_encryption_configuration', 'alb_logs').rule[0]
        .apply_server_side_encryption_by_default.sse_algorithm,
    ).toBe('AES256');
    expect(s.resource('aws_s3_bucket_public_access_block', 'alb_logs')).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const deny = s.statements('alb_logs').find((x: Any) => x.effect === 'Deny');
    expect(deny.condition).toEqual([{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }]);
    const rule = s.resource('aws_s3_bucket_lifecycle_configuration', 'alb_logs').rule[0];
    expect(rule.status).toBe('Enabled');
    expect(rule.expiration.days).toBe('${var.access_log_retention_days}');
  });
});

describe('compute', () => {
  const td = s.resource('aws_ecs_task_definition', 'app');
  const [c] = JSON.parse(td.container_definitions);
  test('Fargate ARM64, non-root, read-only root filesystem, awslogs, health check', () => {
    expect(td.requires_compatibilities).toEqual(['FARGATE']);
    expect(td.network_mode).toBe('awsvpc');
    expect(td.runtime_platform).toEqual({ operating_system_family: 'LINUX', cpu_architecture: 'ARM64' });
    expect(c.user).toMatch(/^[1-9][0-9]*:[1-9][0-9]*$/);
    expect(c.readonlyRootFilesystem).toBe(true);
    expect(c.privileged).toBe(false);
    expect(c.logConfiguration.logDriver).toBe('awslogs');
    expect(c.healthCheck.command).toEqual(['CMD', ...CONTAINER_HEALTHCHECK]);
    expect(c.portMappings[0].containerPort).toBe(APP_PORT);
    const env = Object.fromEntries(c.environment.map((e: Any) => [e.name, e.value]));
    expect(env).toEqual({
      AWS_REGION: '${var.aws_region}',
      LOG_LEVEL: '${var.log_level}',
      PORT_APP: String(APP_PORT),
      TABLE_NAME: TABLE.name,
    });
    expect(c.image).toBe('${aws_ecr_repository.app.repository_url}:${var.image_tag}');
  });

  test('service: rolling 100/200 with circuit breaker rollback, desired_count and task_definition ignored', () => {
    const svc = s.resource('aws_ecs_service', 'app');
    expect(svc.deployment_minimum_healthy_percent).toBe(100);
    expect(svc.deployment_maximum_percent).toBe(200);
    expect(svc.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    expect(svc.launch_type).toBe('FARGATE');
    expect(svc.lifecycle.ignore_changes).toEqual(['desired_count', 'task_definition']);
    expect(s.variable('desired_count').default).toBe(2);
  });

  test('cluster has Container Insights; autoscaling tracks CPU and ALB requests per target', () => {
    const insights = s
      .resource('aws_ecs_cluster', 'main')
      .setting.find((x: Any) => x.name === 'containerInsights');
    expect(['enabled', 'enhanced']).toContain(insights.value);
    const types = Object.values(s.resources('aws_appautoscaling_policy')).map(
      (p: Any) =>
        p.target_tracking_scaling_policy_configuration.predefined_metric_specification.predefined_metric_type,
    );
    expect(types.sort()).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
  });

  test('ECR: immutable tags, scan on push, lifecycle policy', () => {
    const repo = s.resource('aws_ecr_repository', 'app');
    expect(repo.image_tag_mutability).toBe('IMMUTABLE');
    expect(repo.image_scanning_configuration.scan_on_push).toBe(true);
    const policy = JSON.parse(s.resource('aws_ecr_lifecycle_policy', 'app').policy);
    expect(policy.rules.length).toBeGreaterThan(0);
  });
});

describe('function and data', () => {
  test('Lambda: Node.js 22 arm64 from the build zip, published, live alias, bounded concurrency, log retention', () => {
    const fn = s.resource('aws_lambda_function', 'delete_item');
    expect(fn.runtime).toBe('nodejs22.x');
    expect(fn.architectures).toEqual(['arm64']);
    expect(fn.handler).toBe(LAMBDA.handler);
    expect(fn.filename).toBe('${path.module}/../dist/lambda/delete-item.zip');
    expect(fn.source_code_hash).toBe('${filebase64sha256("${path.module}/../dist/lambda/delete-item.zip")}');
    expect(fn.publish).toBe(true);
    expect(fn.reserved_concurrent_executions).toBe('${var.lambda_reserved_concurrency}');
    expect(fn.environment.variables.TABLE_NAME).toBe(TABLE.name);
    expect(s.resource('aws_cloudwatch_log_group', 'lambda').retention_in_days).toBe(
      '${var.log_retention_days}',
    );
    expect(s.resource('aws_lambda_alias', 'live').lifecycle.ignore_changes).toEqual([
      'function_version',
      'routing_config',
    ]);
  });

  test('DynamoDB: on-demand, object_id (S), PITR, SSE, deletion protection', () => {
    const t = s.resource('aws_dynamodb_table', 'picus_data');
    expect(t.name).toBe('picus_data');
    expect(t.billing_mode).toBe('PAY_PER_REQUEST');
    expect(t.hash_key).toBe('object_id');
    expect(t.attribute).toEqual([{ name: 'object_id', type: 'S' }]);
    expect(t.point_in_time_recovery.enabled).toBe(true);
    expect(t.server_side_encryption.enabled).toBe(true);
    expect(t.deletion_protection_enabled).toBe('${var.table_deletion_protection}');
    expect(s.variable('table_deletion_protection').default).toBe(true);
    // provider: on-demand tables must not set provisioned capacity
    expect(t.read_capacity).toBeUndefined();
    expect(t.write_capacity).toBeUndefined();
  });
});

describe('observability', () => {
  const alarms = Object.values(s.resources('aws_cloudwatch_metric_alarm')) as Any[];
  const metricsOf = (a: Any) =>
    [a.metric_name, ...(a.metric_query ?? []).map((q: Any) => q.metric?.metric_name)].filter(Boolean);
  test.each([
    ['HTTPCode_ELB_5XX_Count'],
    ['HTTPCode_Target_5XX_Count'],
    ['UnHealthyHostCount'],
    ['TargetResponseTime'],
    ['Errors'],
    ['Throttles'],
    ['ReadThrottleEvents'],
    ['SystemErrors'],
    ['RunningTaskCount'],
  ])('an alarm watches %s and notifies the SNS topic', (metric) => {
    const a = alarms.find((x) => metricsOf(x).includes(metric));
    expect(a).toBeDefined();
    expect(a.alarm_actions).toEqual(['${aws_sns_topic.alarms.arn}']);
  });

  test('alarm arguments satisfy the provider rules', () => {
    const ops = [
      'GreaterThanOrEqualToThreshold',
      'GreaterThanThreshold',
      'LessThanThreshold',
      'LessThanOrEqualToThreshold',
    ];
    for (const a of alarms) {
      expect(ops).toContain(a.comparison_operator);
      expect(['breaching', 'notBreaching', 'ignore', 'missing']).toContain(a.treat_missing_data);
      // metric_name/namespace/statistic conflict with metric_query
      if (a.metric_query) {
        expect(a.metric_name).toBeUndefined();
        expect(a.metric_query.filter((q: Any) => q.return_data).length).toBe(1);
      } else {
        expect(Boolean(a.statistic) !== Boolean(a.extended_statistic)).toBe(true);
      }
      if (a.datapoints_to_alarm) expect(a.datapoints_to_alarm).toBeLessThanOrEqual(a.evaluation_periods);
    }
    expect(alarms.find((a) => a.metric_name === 'TargetResponseTime').extended_statistic).toBe('p99');
  });

  test('SNS e-mail subscription and a golden-signals dashboard across ALB, ECS, Lambda and DynamoDB', () => {
    expect(s.resource('aws_sns_topic_subscription', 'alarm_email')).toMatchObject({
      protocol: 'email',
      endpoint: '${var.alarm_email}',
    });
    const body = JSON.parse(s.resource('aws_cloudwatch_dashboard', 'golden_signals').dashboard_body);
    const text = body.widgets.filter((w: Any) => w.type === 'text').map((w: Any) => w.properties.markdown);
    expect(text).toEqual(['## Latency', '## Traffic', '## Errors', '## Saturation']);
    const namespaces = new Set(
      body.widgets.flatMap((w: Any) => (w.properties.metrics ?? []).map((m: Any) => m[0])),
    );
    for (const ns of ['AWS/ApplicationELB', 'AWS/ECS', 'AWS/Lambda', 'AWS/DynamoDB'])
      expect(namespaces.has(ns)).toBe(true);
    const stats = body.widgets.flatMap((w: Any) =>
      (w.properties.metrics ?? []).map((m: Any) => m.at(-1)?.stat),
    );
    for (const p of ['p50', 'p95', 'p99']) expect(stats).toContain(p);
  });
});
