/**
 * Edge protection: WAF web ACL on the ALB (AWS managed common + known-bad-inputs rule groups,
 * per-IP rate limit) logging to CloudWatch, and the encrypted S3 bucket for ALB access logs.
 */
import type { Settings } from './settings.ts';
import { type Expr, type Fragment, policyDocument, tpl } from './tf.ts';

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
  const elbAccount = f.dataSource<'arn'>('aws_elb_service_account', 'main', {});
  const logPrefix = tpl`${bucket.attr('arn')}/alb/AWSLogs/${s.accountId}/*`;
  const doc = f.dataSource<'json'>(
    'aws_iam_policy_document',
    'alb_logs',
    policyDocument([
      {
        sid: 'ElbAccountWrite',
        actions: ['s3:PutObject'],
        resources: [logPrefix],
        principals: [{ type: 'AWS', identifiers: [elbAccount.attr('arn')] }],
      },
      {
        sid: 'ElbLogDeliveryWrite',
        actions: ['s3:PutObject'],
        resources: [logPrefix],
        principals: [{ type: 'Service', identifiers: ['logdelivery.elasticloadbalancing.amazonaws.com'] }],
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
  );
  const policy = f.resource('aws_s3_bucket_policy', 'alb_logs', {
    bucket: bucket.attr('id'),
    policy: doc.attr('json'),
  });
  return { bucket: bucket.attr('bucket'), ready: policy };
}

export function waf(f: Fragment, s: Settings, refs: { albArn: Expr }) {
  const { v, name } = s;
  const metric = (suffix: string) => tpl`${name}-${suffix}`;
  const acl = f.resource<'arn'>('aws_wafv2_web_acl', 'api', {
    name: tpl`${name}-api`,
    description: 'picus API: AWS managed rules and a per-IP rate limit',
    scope: 'REGIONAL',
    default_action: { allow: {} },
    rule: [
      {
        name: 'aws-common',
        priority: 10,
        override_action: { none: {} },
        statement: {
          managed_rule_group_statement: { vendor_name: 'AWS', name: 'AWSManagedRulesCommonRuleSet' },
        },
        visibility_config: visibility(metric('aws-common')),
      },
      {
        name: 'aws-known-bad-inputs',
        priority: 20,
        override_action: { none: {} },
        statement: {
          managed_rule_group_statement: { vendor_name: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' },
        },
        visibility_config: visibility(metric('aws-known-bad-inputs')),
      },
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
    },
    { depends_on: [resourcePolicy] },
  );
  return { webAclArn: acl.attr('arn'), webAclName: tpl`${name}-api` };
}
