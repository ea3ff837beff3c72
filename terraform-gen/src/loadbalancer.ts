/**
 * Load balancer: internet-facing dual-stack ALB, HTTPS listener (TLS 1.3 policy) whose rules
 * come from `contracts/routing.ts` — the same table the local load balancer uses — HTTP→HTTPS
 * 301, the ECS (ip) target group and the Lambda target group attached to the function's alias.
 */
import { type RouteTarget, type RoutingTable, routingTable } from '../../contracts/routing.ts';
import { APP_PORT, LIVENESS_PATH, SHUTDOWN, TLS_POLICY } from './constants.ts';
import type { LambdaFn } from './function.ts';
import type { Network } from './network.ts';
import type { Settings } from './settings.ts';
import { type Expr, type Fragment, type Handle, tpl } from './tf.ts';

export interface LoadBalancerRefs {
  net: Network;
  fn: LambdaFn;
  certificateArn: Expr;
  accessLogsBucket: Expr;
  accessLogsReady: Handle;
}

export function loadBalancer(
  f: Fragment,
  s: Settings,
  refs: LoadBalancerRefs,
  table: RoutingTable = routingTable,
) {
  const { v, name } = s;
  const alb = f.resource<'arn' | 'arn_suffix' | 'dns_name' | 'zone_id'>(
    'aws_lb',
    'api',
    {
      name: tpl`${name}-alb`,
      load_balancer_type: 'application',
      internal: false,
      ip_address_type: 'dualstack',
      subnets: refs.net.publicSubnetIds,
      security_groups: [refs.net.albSgId],
      drop_invalid_header_fields: true,
      desync_mitigation_mode: 'defensive',
      enable_deletion_protection: v.albDeletionProtection.ref,
      enable_http2: true,
      idle_timeout: 60,
      access_logs: { bucket: refs.accessLogsBucket, prefix: 'alb', enabled: v.albAccessLogs.ref },
      tags: { Name: tpl`${name}-alb` },
    },
    { depends_on: [refs.accessLogsReady] },
  );

  const containerTg = f.resource<'arn' | 'arn_suffix'>('aws_lb_target_group', 'container', {
    name: tpl`${name}-ecs`,
    target_type: 'ip',
    protocol: 'HTTP',
    protocol_version: 'HTTP1',
    port: APP_PORT,
    vpc_id: refs.net.vpcId,
    deregistration_delay: String(SHUTDOWN.deregistrationDelaySeconds),
    health_check: {
      enabled: true,
      path: LIVENESS_PATH,
      protocol: 'HTTP',
      port: 'traffic-port',
      matcher: '200',
      interval: 10,
      timeout: 5,
      healthy_threshold: 2,
      unhealthy_threshold: 3,
    },
    tags: { Name: tpl`${name}-ecs` },
  });

  const lambdaTg = f.resource<'arn' | 'arn_suffix'>('aws_lb_target_group', 'lambda', {
    name: tpl`${name}-fn`,
    target_type: 'lambda',
    lambda_multi_value_headers_enabled: false,
    tags: { Name: tpl`${name}-fn` },
  });

  // The ALB may invoke only the alias, and only on behalf of this target group.
  const permission = f.resource('aws_lambda_permission', 'alb_invoke', {
    statement_id: 'AllowInvokeFromAlbTargetGroup',
    action: 'lambda:InvokeFunction',
    principal: 'elasticloadbalancing.amazonaws.com',
    function_name: refs.fn.functionName,
    qualifier: refs.fn.aliasName,
    source_arn: lambdaTg.attr('arn'),
  });
  f.resource(
    'aws_lb_target_group_attachment',
    'lambda_alias',
    { target_group_arn: lambdaTg.attr('arn'), target_id: refs.fn.aliasArn },
    { depends_on: [permission] },
  );

  const targetGroupArn: Record<RouteTarget, Expr> = {
    container: containerTg.attr('arn'),
    lambda: lambdaTg.attr('arn'),
  };

  f.resource('aws_lb_listener', 'http', {
    load_balancer_arn: alb.attr('arn'),
    port: 80,
    protocol: 'HTTP',
    default_action: [
      { type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } },
    ],
  });

  const https = f.resource<'arn'>('aws_lb_listener', 'https', {
    load_balancer_arn: alb.attr('arn'),
    port: 443,
    protocol: 'HTTPS',
    ssl_policy: TLS_POLICY,
    certificate_arn: refs.certificateArn,
    default_action: [{ type: 'forward', target_group_arn: targetGroupArn[table.defaultTarget] }],
  });

  for (const rule of [...table.rules].sort((a, b) => a.priority - b.priority)) {
    f.resource('aws_lb_listener_rule', rule.name, {
      listener_arn: https.attr('arn'),
      priority: rule.priority,
      condition: [
        { http_request_method: { values: [...rule.methods] } },
        { path_pattern: { values: [...rule.pathPatterns] } },
      ],
      action: [{ type: 'forward', target_group_arn: targetGroupArn[rule.target] }],
      tags: { Name: tpl`${name}-${rule.name}` },
    });
  }

  return {
    albArn: alb.attr('arn'),
    albArnSuffix: alb.attr('arn_suffix'),
    albDnsName: alb.attr('dns_name'),
    albZoneId: alb.attr('zone_id'),
    httpsListener: https,
    containerTgArn: containerTg.attr('arn'),
    containerTgArnSuffix: containerTg.attr('arn_suffix'),
    lambdaTgArnSuffix: lambdaTg.attr('arn_suffix'),
  };
}

export type LoadBalancer = ReturnType<typeof loadBalancer>;
