/**
 * Edge protection: WAF web ACL on the ALB (AWS managed common + known-bad-inputs rule groups
 * with the rules that would refuse valid API requests set to count, a per-IP rate limit and an
 * IPv6-wide backstop) logging what it blocks or counts to CloudWatch, and the encrypted S3
 * bucket for ALB access logs.
 */
import { ELB_LEGACY_LOG_ACCOUNTS, ELB_LOG_DELIVERY_PRINCIPAL } from './elb-log-delivery.ts';
import type { Settings } from './settings.ts';
import { type Body, type Expr, type Fragment, fn, policyDocument, raw, type Statement, tpl } from './tf.ts';
import { countedRules, MANAGED_RULE_GROUPS, type ManagedRuleGroup } from './waf-managed-rules.ts';

/** The WAF actions whose requests are logged (EXCLUDED_AS_COUNT: rules overridden to count). */
export const WAF_LOGGED_ACTIONS = ['BLOCK', 'COUNT', 'EXCLUDED_AS_COUNT'] as const;

const visibility = (metric: string) => ({
  cloudwatch_metrics_enabled: true,
  sampled_requests_enabled: true,
  metric_name: metric,
});

/** The access-log bucket must exist (with its policy) before the ALB is told to write to it. */
export function accessLogs(f: Fragment, s: Settings) {
  const { v, name } = s;
  const bucket = f.resource<'arn' | 'bucket'>('aws_s3_bucket', 'alb_logs', {
    bucket: tpl`${name}-alb-logs-${s.accountId}`,
    force_destroy: false,
    tags: { Name: tpl`${name}-alb-logs` },
  });
  f.resource('aws_s3_bucket_public_access_block', 'alb_logs', {
    bucket: bucket.attr('id'),
    block_public_acls: true,
    block_public_policy: true,
    ignore_public_acls: true,
    restrict_public_buckets: true,
  });
  f.resource('aws_s3_bucket_ownership_controls', 'alb_logs', {
    bucket: bucket.attr('id'),
    rule: { object_ownership: 'BucketOwnerEnforced' },
  });
  // ALB access logs support SSE-S3 only (not SSE-KMS).
  f.resource('aws_s3_bucket_server_side_encryption_configuration', 'alb_logs', {
    bucket: bucket.attr('id'),
    rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
  });
  f.resource('aws_s3_bucket_lifecycle_configuration', 'alb_logs', {
    bucket: bucket.attr('id'),
    rule: [
      {
        id: 'expire-access-logs',
        status: 'Enabled',
        filter: { prefix: '' },
        expiration: { days: v.accessLogRetentionDays.ref },
        abort_incomplete_multipart_upload: { days_after_initiation: 1 },
      },
    ],
  });
  const logPrefix = tpl`${bucket.attr('arn')}/alb/AWSLogs/${s.accountId}/*`;
  const legacyAccounts = f.local('elb_legacy_log_accounts', { ...ELB_LEGACY_LOG_ACCOUNTS });
  // The region's legacy Elastic Load Balancing account, where it has one (else no statement).
  const legacyWriter: Statement = {
    sid: 'ElbAccountWrite',
    actions: ['s3:PutObject'],
    resources: [logPrefix],
    principals: [{ type: 'AWS', identifiers: [tpl`arn:${s.partition}:iam::${raw('statement.value')}:root`] }],
  };
  const [legacyStatement] = policyDocument([legacyWriter]).statement as [Record<string, unknown>];
  const doc = f.dataSource<'json'>('aws_iam_policy_document', 'alb_logs', {
    ...policyDocument([
      {
        sid: 'ElbLogDeliveryWrite',
        actions: ['s3:PutObject'],
        resources: [logPrefix],
        principals: [{ type: 'Service', identifiers: [ELB_LOG_DELIVERY_PRINCIPAL] }],
      },
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        actions: ['s3:*'],
        resources: [bucket.attr('arn'), tpl`${bucket.attr('arn')}/*`],
        principals: [{ type: '*', identifiers: ['*'] }],
        conditions: [{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }],
      },
    ]),
    dynamic: {
      statement: {
        for_each: fn('compact', [fn('lookup', legacyAccounts.ref, v.region.ref, '')]),
        content: legacyStatement as Body,
      },
    },
  });
  const policy = f.resource('aws_s3_bucket_policy', 'alb_logs', {
    bucket: bucket.attr('id'),
    policy: doc.attr('json'),
  });
  return { bucket: bucket.attr('bucket'), ready: policy };
}

/** A managed rule group as a web ACL rule, its counted rules overridden to count. */
function managedGroupRule(group: ManagedRuleGroup, name: string, priority: number, metric: string) {
  const overrides = countedRules(group).map((r) => ({ name: r.name, action_to_use: { count: {} } }));
  return {
    name,
    priority,
    override_action: { none: {} },
    statement: {
      managed_rule_group_statement: {
        vendor_name: 'AWS',
        name: group.name,
        ...(overrides.length > 0 ? { rule_action_override: overrides } : {}),
      },
    },
    visibility_config: visibility(metric),
  };
}

export function waf(f: Fragment, s: Settings, refs: { albArn: Expr }) {
  const { v, name } = s;
  const metric = (suffix: string) => tpl`${name}-${suffix}`;
  const [common, knownBad] = MANAGED_RULE_GROUPS as [ManagedRuleGroup, ManagedRuleGroup];
  // WAF's rate rules have no IPv6 prefix key: one client with a /64 looks like 2^64 clients to
  // the per-IP rule, so all IPv6 traffic together has a limit too.
  const ipv6 = f.resource<'arn'>('aws_wafv2_ip_set', 'ipv6_all', {
    name: tpl`${name}-ipv6-all`,
    description: 'Every IPv6 address: scope of the IPv6-wide rate limit',
    scope: 'REGIONAL',
    ip_address_version: 'IPV6',
    addresses: ['::/0'],
    tags: { Name: tpl`${name}-ipv6-all` },
  });
  const acl = f.resource<'arn'>('aws_wafv2_web_acl', 'api', {
    name: tpl`${name}-api`,
    description: 'picus API: AWS managed rules, a per-IP rate limit and an IPv6-wide backstop',
    scope: 'REGIONAL',
    default_action: { allow: {} },
    rule: [
      managedGroupRule(common, 'aws-common', 10, metric('aws-common')),
      managedGroupRule(knownBad, 'aws-known-bad-inputs', 20, metric('aws-known-bad-inputs')),
      {
        name: 'per-ip-rate-limit',
        priority: 30,
        action: { block: {} },
        statement: {
          rate_based_statement: {
            limit: v.wafRateLimit.ref,
            aggregate_key_type: 'IP',
            evaluation_window_sec: 300,
          },
        },
        visibility_config: visibility(metric('rate-limit')),
      },
      {
        name: 'ipv6-rate-limit',
        priority: 40,
        action: { block: {} },
        statement: {
          rate_based_statement: {
            limit: v.wafIpv6RateLimit.ref,
            aggregate_key_type: 'CONSTANT',
            evaluation_window_sec: 300,
            scope_down_statement: { ip_set_reference_statement: { arn: ipv6.attr('arn') } },
          },
        },
        visibility_config: visibility(metric('ipv6-rate-limit')),
      },
    ],
    visibility_config: visibility(metric('web-acl')),
    tags: { Name: tpl`${name}-api` },
  });
  f.resource('aws_wafv2_web_acl_association', 'alb', {
    resource_arn: refs.albArn,
    web_acl_arn: acl.attr('arn'),
  });

  // WAF requires the log group name to start with aws-waf-logs-.
  const logGroup = f.resource<'arn' | 'name'>('aws_cloudwatch_log_group', 'waf', {
    name: tpl`aws-waf-logs-${name}`,
    retention_in_days: v.logRetentionDays.ref,
  });
  const deliveryPolicy = f.dataSource<'json'>(
    'aws_iam_policy_document',
    'waf_logs',
    policyDocument([
      {
        sid: 'WafLogDelivery',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [tpl`${logGroup.attr('arn')}:*`],
        principals: [{ type: 'Service', identifiers: ['delivery.logs.amazonaws.com'] }],
        conditions: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [s.accountId] },
          {
            test: 'ArnLike',
            variable: 'aws:SourceArn',
            values: [tpl`arn:${s.partition}:logs:${v.region.ref}:${s.accountId}:*`],
          },
        ],
      },
    ]),
  );
  const resourcePolicy = f.resource('aws_cloudwatch_log_resource_policy', 'waf', {
    policy_name: tpl`${name}-waf-log-delivery`,
    policy_document: deliveryPolicy.attr('json'),
  });
  f.resource(
    'aws_wafv2_web_acl_logging_configuration',
    'api',
    {
      resource_arn: acl.attr('arn'),
      log_destination_configs: [logGroup.attr('arn')],
      redacted_fields: [{ single_header: { name: 'authorization' } }],
      // Only requests a rule blocked or counted: logging every allowed request would cost more
      // than the API it protects, and the ALB access logs already record each one.
      logging_filter: {
        default_behavior: 'DROP',
        filter: [
          {
            behavior: 'KEEP',
            requirement: 'MEETS_ANY',
            condition: WAF_LOGGED_ACTIONS.map((action) => ({ action_condition: { action } })),
          },
        ],
      },
    },
    { depends_on: [resourcePolicy] },
  );
  return { webAclArn: acl.attr('arn'), webAclName: tpl`${name}-api` };
}
