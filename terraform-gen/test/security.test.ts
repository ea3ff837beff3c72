// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the tests compare against Terraform interpolation strings.
/**
 * Security posture and the decisions of the generated stack, asserted on the generated JSON.
 * The provider's own value checks (enums, conflicting arguments) are left to the real provider:
 * terraform-validate.test.ts validates infra/ with it and shows it rejects such mistakes.
 */
import { describe, expect, test } from 'bun:test';
import { ALL_SCOPES, RESOURCE_SERVER } from '../../contracts/scopes.ts';
import {
  APP_PORT,
  CONTAINER_HEALTHCHECK,
  GITHUB_DEPLOY_ENVIRONMENT,
  LAMBDA,
  TABLE,
  TLS_POLICY,
} from '../src/constants.ts';
import { WAF_LOGGED_ACTIONS } from '../src/edge.ts';
import { ELB_LEGACY_LOG_ACCOUNTS, ELB_LOG_DELIVERY_PRINCIPAL } from '../src/elb-log-delivery.ts';
import { MANAGED_RULE_GROUPS } from '../src/waf-managed-rules.ts';
import { type Any, parseContainerDefinitions, parsedStack } from './stack.ts';

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

  test("deploy role: trusted only for the configured repository's deploy environment via GitHub OIDC", () => {
    const [st, ...rest] = s.statements('deploy_assume');
    expect(rest).toEqual([]);
    expect(st.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
    expect(st.principals[0].type).toBe('Federated');
    expect(st.condition).toContainEqual({
      test: 'StringEquals',
      variable: 'token.actions.githubusercontent.com:sub',
      values: ['repo:${var.github_repository}:environment:${var.github_environment}'],
    });
    // No branch subject: any job on main without an environment would get that one, unapproved.
    expect(JSON.stringify(st.condition)).not.toContain(':ref:');
    expect(s.variable('github_environment').default).toBe(GITHUB_DEPLOY_ENVIRONMENT);
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
    // `id` is the service ARN in provider 5.x and 6.x alike (5.x has no `arn` attribute).
    expect(bySid.RollService.resources).toEqual(['${aws_ecs_service.app.id}']);
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
    // A gradual Lambda shift reads the deploy alarms, and no other alarm.
    expect(bySid.WatchDeployAlarms.actions).toEqual(['cloudwatch:DescribeAlarms']);
    expect(bySid.WatchDeployAlarms.resources).toEqual([
      '${aws_cloudwatch_metric_alarm.lambda_alias_errors.arn}',
      '${aws_cloudwatch_metric_alarm.lambda_alias_throttles.arn}',
      '${aws_cloudwatch_metric_alarm.alb_target_5xx.arn}',
      '${aws_cloudwatch_metric_alarm.alb_elb_5xx.arn}',
    ]);
    const actions = s.statements('deploy').flatMap((x: Any) => x.actions);
    for (const a of actions) expect(a).toMatch(/^(ecr|ecs|iam:PassRole$|lambda|cloudwatch:DescribeAlarms$)/);
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

  test('DynamoDB and S3 (ECR layers) gateway endpoints on the private route tables; NAT single or per AZ', () => {
    for (const service of ['dynamodb', 's3']) {
      const ep = s.resource('aws_vpc_endpoint', service);
      expect(ep.vpc_endpoint_type).toBe('Gateway');
      expect(ep.service_name).toBe(`com.amazonaws.\${var.aws_region}.${service}`);
      expect(ep.route_table_ids).toBe('${aws_route_table.private[*].id}');
    }
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
    expect(alb.desync_mitigation_mode).toBe('defensive');
    expect(alb.ip_address_type).toBe('dualstack');
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
    const rate = acl.rule.find((r: Any) => r.name === 'per-ip-rate-limit');
    expect(rate.statement.rate_based_statement).toMatchObject({
      limit: '${var.waf_rate_limit}',
      aggregate_key_type: 'IP',
    });
    expect(rate.action).toEqual({ block: {} });
    // WAF refuses (at apply, the provider does not check) a rule with both or neither of action
    // and override_action (override only for rule groups), and duplicate priorities.
    for (const r of acl.rule) expect(Boolean(r.action) !== Boolean(r.override_action)).toBe(true);
    expect(new Set(acl.rule.map((r: Any) => r.priority)).size).toBe(acl.rule.length);
    expect(s.resource('aws_wafv2_web_acl_association', 'alb').resource_arn).toBe('${aws_lb.api.arn}');
    const logGroup = s.resource('aws_cloudwatch_log_group', 'waf');
    expect(logGroup.name).toMatch(/^aws-waf-logs-/);
    expect(s.resource('aws_wafv2_web_acl_logging_configuration', 'api').log_destination_configs).toEqual([
      '${aws_cloudwatch_log_group.waf.arn}',
    ]);
  });

  test('WAF never blocks a request for what its JSON body holds, nor for sizes the API accepts', () => {
    const acl = s.resource('aws_wafv2_web_acl', 'api');
    for (const group of MANAGED_RULE_GROUPS) {
      const rule = acl.rule.find((r: Any) => r.statement.managed_rule_group_statement?.name === group.name);
      const overridden = rule.statement.managed_rule_group_statement.rule_action_override.map((o: Any) => {
        expect(o.action_to_use).toEqual({ count: {} });
        return o.name;
      });
      // Every rule of the group that inspects the body counts; the rest block.
      const bodyRules = group.rules.filter((r) => r.inspects === 'BODY').map((r) => r.name);
      expect(bodyRules.length).toBeGreaterThan(0);
      expect(overridden).toEqual(expect.arrayContaining(bodyRules));
      for (const name of overridden) {
        const known = group.rules.find((r) => r.name === name);
        expect(known?.countBecause, name).toBeString();
      }
    }
    const common = acl.rule.find((r: Any) => r.name === 'aws-common');
    expect(
      common.statement.managed_rule_group_statement.rule_action_override.map((o: Any) => o.name),
    ).toEqual(
      expect.arrayContaining([
        'SizeRestrictions_BODY',
        'SizeRestrictions_URIPATH',
        'SizeRestrictions_QUERYSTRING',
      ]),
    );
    // What still blocks: headers, cookies, paths, query strings, methods.
    const blocking = MANAGED_RULE_GROUPS.flatMap((g) => g.rules).filter((r) => !r.countBecause);
    expect(new Set(blocking.map((r) => r.inspects))).toEqual(
      new Set(['HEADER', 'COOKIE', 'URIPATH', 'QUERY', 'METHOD']),
    );
  });

  test('WAF: all IPv6 clients together are rate limited too (one client owns a /64)', () => {
    const acl = s.resource('aws_wafv2_web_acl', 'api');
    const rule = acl.rule.find((r: Any) => r.name === 'ipv6-rate-limit');
    expect(rule.action).toEqual({ block: {} });
    expect(rule.statement.rate_based_statement).toEqual({
      limit: '${var.waf_ipv6_rate_limit}',
      aggregate_key_type: 'CONSTANT',
      evaluation_window_sec: 300,
      scope_down_statement: { ip_set_reference_statement: { arn: '${aws_wafv2_ip_set.ipv6_all.arn}' } },
    });
    expect(s.resource('aws_wafv2_ip_set', 'ipv6_all')).toMatchObject({
      ip_address_version: 'IPV6',
      addresses: ['::/0'],
      scope: 'REGIONAL',
    });
  });

  test('WAF logs only requests it blocked or counted', () => {
    const filter = s.resource('aws_wafv2_web_acl_logging_configuration', 'api').logging_filter;
    expect(filter.default_behavior).toBe('DROP');
    expect(filter.filter).toEqual([
      {
        behavior: 'KEEP',
        requirement: 'MEETS_ANY',
        condition: WAF_LOGGED_ACTIONS.map((action) => ({ action_condition: { action } })),
      },
    ]);
    expect([...WAF_LOGGED_ACTIONS].sort()).toEqual(['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT']);
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

  test('access logs: the log-delivery service principal everywhere, the legacy ELB account only where the region has one', () => {
    const doc = s.data('aws_iam_policy_document', 'alb_logs');
    const service = doc.statement.find((x: Any) => x.sid === 'ElbLogDeliveryWrite');
    expect(service.principals).toEqual([{ type: 'Service', identifiers: [ELB_LOG_DELIVERY_PRINCIPAL] }]);
    const legacy = doc.dynamic.statement;
    expect(legacy.for_each).toBe('${compact([lookup(local.elb_legacy_log_accounts, var.aws_region, "")])}');
    expect(legacy.content.principals).toEqual([
      {
        type: 'AWS',
        identifiers: ['arn:${data.aws_partition.current.partition}:iam::${statement.value}:root'],
      },
    ]);
    expect(legacy.content.resources).toEqual(service.resources);
    // The provider's aws_elb_service_account knows only these regions and fails the plan elsewhere.
    expect(s.files.get('edge.tf.json').data.aws_elb_service_account).toBeUndefined();
    expect(s.files.get('edge.tf.json').locals.elb_legacy_log_accounts).toEqual(ELB_LEGACY_LOG_ACCOUNTS);
    expect(Object.keys(ELB_LEGACY_LOG_ACCOUNTS)).toHaveLength(26);
    for (const opened2022OrLater of [
      'eu-central-2',
      'eu-south-2',
      'ap-south-2',
      'ap-southeast-4',
      'me-central-1',
      'il-central-1',
      'ca-west-1',
      'mx-central-1',
    ]) {
      expect(ELB_LEGACY_LOG_ACCOUNTS[opened2022OrLater]).toBeUndefined();
    }
  });
});

describe('compute', () => {
  const td = s.resource('aws_ecs_task_definition', 'app');
  const [c] = parseContainerDefinitions(td.container_definitions);
  test('Fargate ARM64, non-root, read-only root filesystem, awslogs, health check', () => {
    expect(td.requires_compatibilities).toEqual(['FARGATE']);
    expect(td.network_mode).toBe('awsvpc');
    expect(td.runtime_platform).toEqual({ operating_system_family: 'LINUX', cpu_architecture: 'ARM64' });
    expect(c.user).toMatch(/^[1-9][0-9]*:[1-9][0-9]*$/);
    expect(c.readonlyRootFilesystem).toBe(true);
    // No writable path at all (a Fargate bind mount would be root-owned anyway); the compiled
    // binary writes no file (scripts/test/compiled-binary.test.ts traces it).
    expect(c.mountPoints).toBeUndefined();
    expect(td.volume).toBeUndefined();
    expect(c.privileged).toBe(false);
    expect(c.logConfiguration.logDriver).toBe('awslogs');
    expect(c.healthCheck.command).toEqual(['CMD', ...CONTAINER_HEALTHCHECK]);
    expect(c.portMappings[0].containerPort).toBe(APP_PORT);
    // Computed by Terraform: AUTH_AUDIENCE and CORS_ALLOWED_ORIGINS only when set (ECS drops empty
    // values, a diff forever; and an unconfigured feature leaves the task definition as it was).
    expect(c.environment).toBe(
      'computed:concat([' +
        [
          ['AWS_REGION', 'var.aws_region'],
          ['PORT_APP', '"8000"'],
          ['TABLE_NAME', 'aws_dynamodb_table.picus_data.name'],
          ['LOG_LEVEL', 'var.log_level'],
          ['AUTH_MODE', '"jwt"'],
          ['AUTH_ISSUER', 'local.auth_issuer'],
          ['AUTH_JWKS_URL', 'local.auth_jwks_url'],
          ['AUTH_TOKEN_URL', 'local.auth_token_url'],
        ]
          .map(([name, value]) => `{ "name" = "${name}", "value" = ${value} }`)
          .join(', ') +
        '], var.auth_audience != "" ? [{ "name" = "AUTH_AUDIENCE", "value" = var.auth_audience }] : [], ' +
        'join(",", var.cors_allowed_origins) != "" ? [{ "name" = "CORS_ALLOWED_ORIGINS", "value" = join(",", var.cors_allowed_origins) }] : [])',
    );
    expect(APP_PORT).toBe(8000);
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
  test('Lambda: Node.js 22 arm64 from the build zip, published, live alias, no reserved concurrency, log retention', () => {
    const fn = s.resource('aws_lambda_function', 'delete_item');
    expect(fn.runtime).toBe('nodejs22.x');
    expect(fn.architectures).toEqual(['arm64']);
    expect(fn.handler).toBe(LAMBDA.handler);
    expect(fn.filename).toBe('${path.module}/../dist/lambda/delete-item.zip');
    expect(fn.source_code_hash).toBe('${filebase64sha256("${path.module}/../dist/lambda/delete-item.zip")}');
    expect(fn.publish).toBe(true);
    // No reservation unless configured (-1): new accounts cannot reserve any concurrency.
    expect(fn.reserved_concurrent_executions).toBe('${coalesce(var.lambda_reserved_concurrency, -1)}');
    expect(s.variable('lambda_reserved_concurrency')).toMatchObject({ default: null, nullable: true });
    expect(fn.environment.variables).toBe(
      '${merge({ "NODE_OPTIONS" = "--enable-source-maps", "TABLE_NAME" = aws_dynamodb_table.picus_data.name, ' +
        '"LOG_LEVEL" = var.log_level, "AUTH_MODE" = "jwt", "AUTH_ISSUER" = local.auth_issuer, ' +
        '"AUTH_JWKS_URL" = local.auth_jwks_url, "AUTH_TOKEN_URL" = local.auth_token_url }, ' +
        'var.auth_audience != "" ? { "AUTH_AUDIENCE" = var.auth_audience } : {}, ' +
        'join(",", var.cors_allowed_origins) != "" ? { "CORS_ALLOWED_ORIGINS" = join(",", var.cors_allowed_origins) } : {})}',
    );
    // Lambda's JSON defaults spelled out, or every apply would publish a new version.
    expect(fn.logging_config).toMatchObject({
      log_format: 'JSON',
      application_log_level: 'INFO',
      system_log_level: 'INFO',
    });
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
    expect(t.name).toBe('${var.table_name}');
    expect(s.variable('table_name').default).toBe(TABLE.name);
    expect(t.billing_mode).toBe('PAY_PER_REQUEST');
    expect(t.hash_key).toBe('object_id');
    expect(t.attribute).toEqual([{ name: 'object_id', type: 'S' }]);
    expect(t.point_in_time_recovery.enabled).toBe(true);
    expect(t.server_side_encryption.enabled).toBe(true);
    expect(t.deletion_protection_enabled).toBe('${var.table_deletion_protection}');
    expect(s.variable('table_deletion_protection').default).toBe(true);
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

  test("the deploy alarms: the live alias's errors and throttles, judged on one minute, and the ALB 5xx alarms", () => {
    for (const [key, metric] of [
      ['lambda_alias_errors', 'Errors'],
      ['lambda_alias_throttles', 'Throttles'],
    ] as const) {
      expect(s.resource('aws_cloudwatch_metric_alarm', key)).toMatchObject({
        namespace: 'AWS/Lambda',
        metric_name: metric,
        // Through the alias: a weighted alias reports both versions under this Resource.
        dimensions: {
          FunctionName: '${aws_lambda_function.delete_item.function_name}',
          Resource: '${aws_lambda_function.delete_item.function_name}:${aws_lambda_alias.live.name}',
        },
        period: 60,
        evaluation_periods: 1,
        datapoints_to_alarm: 1,
        threshold: 0,
      });
    }
    expect(s.outputs.deploy_alarm_names.value).toBe(
      '${join(",", [aws_cloudwatch_metric_alarm.lambda_alias_errors.alarm_name, aws_cloudwatch_metric_alarm.lambda_alias_throttles.alarm_name, aws_cloudwatch_metric_alarm.alb_target_5xx.alarm_name, aws_cloudwatch_metric_alarm.alb_elb_5xx.alarm_name])}',
    );
  });

  test('alarms CloudWatch would refuse at apply (the provider does not check these)', () => {
    for (const a of alarms) {
      if (a.metric_query) expect(a.metric_query.filter((q: Any) => q.return_data).length).toBe(1);
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
    expect(text).toEqual([
      '## Latency',
      '## Traffic',
      '## Errors',
      '## Saturation',
      '## Application (by operation)',
      '## SLOs (error-budget burn rate over 5 minutes; 1 = exactly on budget)',
    ]);
    const namespaces = new Set(
      body.widgets.flatMap((w: Any) => (w.properties.metrics ?? []).map((m: Any) => m[0])),
    );
    for (const ns of ['AWS/ApplicationELB', 'AWS/ECS', 'AWS/Lambda', 'AWS/DynamoDB', 'Picus'])
      expect(namespaces.has(ns)).toBe(true);
    const stats = body.widgets.flatMap((w: Any) =>
      (w.properties.metrics ?? []).map((m: Any) => m.at(-1)?.stat),
    );
    for (const p of ['p50', 'p95', 'p99']) expect(stats).toContain(p);
  });
});

describe('authentication (Cognito, unless auth_issuer names another issuer)', () => {
  test('a user pool only machines use, with the API’s scopes on a resource server', () => {
    const pool = s.resource('aws_cognito_user_pool', 'api');
    expect(pool.count).toBe('${local.use_cognito ? 1 : 0}');
    expect(pool.admin_create_user_config).toEqual({ allow_admin_create_user_only: true });
    const server = s.resource('aws_cognito_resource_server', 'api');
    expect(server.identifier).toBe(RESOURCE_SERVER);
    expect(server.scope.map((sc: Any) => `${RESOURCE_SERVER}/${sc.scope_name}`).sort()).toEqual(
      [...ALL_SCOPES].sort(),
    );
  });

  test('the pipeline client: client credentials only, a generated secret, every scope', () => {
    const client = s.resource('aws_cognito_user_pool_client', 'pipeline');
    expect(client).toMatchObject({
      generate_secret: true,
      allowed_oauth_flows: ['client_credentials'],
      allowed_oauth_flows_user_pool_client: true,
      allowed_oauth_scopes: '${aws_cognito_resource_server.api[0].scope_identifiers}',
    });
    expect(s.outputs.auth_client_secret.sensitive).toBe(true);
    expect(s.outputs.auth_client_id.sensitive).toBeUndefined();
  });

  test('an external issuer replaces Cognito entirely; the app is told where tokens come from', () => {
    expect(s.files.get('auth.tf.json').locals.use_cognito).toBe('${var.auth_issuer == ""}');
    for (const type of [
      'aws_cognito_user_pool',
      'aws_cognito_user_pool_domain',
      'aws_cognito_resource_server',
      'aws_cognito_user_pool_client',
    ]) {
      for (const resource of Object.values(s.resources(type)))
        expect(resource.count).toBe('${local.use_cognito ? 1 : 0}');
    }
    expect(s.outputs.token_url.value).toBe('${local.auth_token_url}');
    expect(s.outputs.auth_issuer.value).toBe('${local.auth_issuer}');
  });
});
