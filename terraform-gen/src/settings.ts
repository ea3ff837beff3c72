/** Terraform block, provider, input variables (with validation) and shared locals. */
import {
  AWS_PROVIDER_CONSTRAINT,
  GITHUB_DEPLOY_ENVIRONMENT,
  TABLE,
  TERRAFORM_REQUIRED_VERSION,
} from './constants.ts';
import { FARGATE_CPU_UNITS, fargateMemoryCondition, fargateSizesText } from './fargate-sizes.ts';
import { type Fragment, hcl, raw, tpl } from './tf.ts';

export function settings(versions: Fragment, vars: Fragment) {
  versions.terraform = {
    required_version: TERRAFORM_REQUIRED_VERSION,
    required_providers: { aws: { source: 'hashicorp/aws', version: AWS_PROVIDER_CONSTRAINT } },
  };

  const v = {
    region: vars.variable('aws_region', {
      type: 'string',
      description: 'AWS region to deploy into, e.g. eu-west-1.',
      validation: [
        {
          condition: raw('can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))'),
          error_message: 'aws_region must be an AWS region name such as eu-west-1.',
        },
      ],
    }),
    environment: vars.variable('environment', {
      type: 'string',
      description: 'Environment name, used as a prefix of every resource name (e.g. prod, staging).',
      default: 'prod',
      validation: [
        {
          condition: raw('can(regex("^[a-z][a-z0-9-]{1,15}$", var.environment))'),
          error_message:
            'environment must be 2-16 characters: lowercase letters, digits and hyphens, starting with a letter.',
        },
      ],
    }),
    domainName: vars.variable('domain_name', {
      type: 'string',
      description: 'Fully qualified domain name the API is served on, e.g. api.example.com.',
      validation: [
        {
          condition: raw(
            'can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\\\.)+[a-z]{2,63}$", var.domain_name))',
          ),
          error_message: 'domain_name must be a lowercase fully qualified domain name.',
        },
      ],
    }),
    hostedZoneId: vars.variable('hosted_zone_id', {
      type: 'string',
      description:
        'Route 53 public hosted zone holding domain_name. When set, a DNS-validated ACM certificate and an alias record are created. Leave empty to bring your own certificate_arn and DNS.',
      default: '',
      validation: [
        {
          condition: raw('var.hosted_zone_id == "" || can(regex("^Z[A-Z0-9]{1,31}$", var.hosted_zone_id))'),
          error_message: 'hosted_zone_id must be empty or a Route 53 hosted zone id (Z...).',
        },
      ],
    }),
    certificateArn: vars.variable('certificate_arn', {
      type: 'string',
      description:
        'ARN of an existing ACM certificate for domain_name (in aws_region). Required when hosted_zone_id is empty.',
      default: '',
      validation: [
        {
          condition: raw(
            'var.certificate_arn == "" || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$", var.certificate_arn))',
          ),
          error_message: 'certificate_arn must be empty or an ACM certificate ARN.',
        },
        {
          condition: raw('var.certificate_arn != "" || var.hosted_zone_id != ""'),
          error_message:
            'Set hosted_zone_id (a certificate is created and DNS-validated) or certificate_arn.',
        },
      ],
    }),
    imageTag: vars.variable('image_tag', {
      type: 'string',
      description:
        'Tag of the container image in the ECR repository used by the task definition Terraform registers (the deploy workflow registers later revisions itself).',
      validation: [
        {
          condition: raw(
            'can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"',
          ),
          error_message:
            'image_tag must be a valid Docker tag and not "latest" (the repository has immutable tags).',
        },
      ],
    }),
    alarmEmail: vars.variable('alarm_email', {
      type: 'string',
      description: 'E-mail address subscribed to the alarm SNS topic (confirm the subscription e-mail).',
      validation: [
        {
          condition: raw('can(regex("^[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+$", var.alarm_email))'),
          error_message: 'alarm_email must be an e-mail address.',
        },
      ],
    }),
    desiredCount: vars.variable('desired_count', {
      type: 'number',
      description: 'Initial number of ECS tasks (autoscaling owns it afterwards).',
      default: 2,
      validation: [
        {
          condition: raw('var.desired_count >= var.min_count && var.desired_count <= var.max_count'),
          error_message: 'desired_count must lie between min_count and max_count.',
        },
      ],
    }),
    minCount: vars.variable('min_count', {
      type: 'number',
      description: 'Autoscaling minimum number of ECS tasks.',
      default: 2,
      validation: [
        {
          condition: raw('var.min_count >= 1 && floor(var.min_count) == var.min_count'),
          error_message: 'min_count must be a whole number of at least 1.',
        },
      ],
    }),
    maxCount: vars.variable('max_count', {
      type: 'number',
      description: 'Autoscaling maximum number of ECS tasks.',
      default: 10,
      validation: [
        {
          condition: raw(
            'var.max_count >= var.min_count && var.max_count <= 100 && floor(var.max_count) == var.max_count',
          ),
          error_message: 'max_count must be a whole number between min_count and 100.',
        },
      ],
    }),
    natMode: vars.variable('nat_gateway_mode', {
      type: 'string',
      description: '"per_az" (one NAT gateway per AZ, survives an AZ outage) or "single" (cheaper).',
      default: 'per_az',
      validation: [
        {
          condition: raw('contains(["per_az", "single"], var.nat_gateway_mode)'),
          error_message: 'nat_gateway_mode must be "per_az" or "single".',
        },
      ],
    }),
    azCount: vars.variable('az_count', {
      type: 'number',
      description: 'Number of availability zones to spread subnets over.',
      default: 2,
      validation: [
        { condition: raw('contains([2, 3], var.az_count)'), error_message: 'az_count must be 2 or 3.' },
      ],
    }),
    vpcCidr: vars.variable('vpc_cidr', {
      type: 'string',
      description: 'IPv4 CIDR of the VPC (a /16 to /20; subnets are carved out of it).',
      default: '10.40.0.0/16',
      validation: [
        {
          condition: raw(
            'can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20',
          ),
          error_message: 'vpc_cidr must be a valid IPv4 CIDR between /16 and /20.',
        },
      ],
    }),
    githubRepository: vars.variable('github_repository', {
      type: 'string',
      description:
        'GitHub repository ("owner/name") whose deploy job (in the environment github_environment) may assume the deploy role.',
      validation: [
        {
          condition: raw('can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))'),
          error_message: 'github_repository must look like owner/name.',
        },
      ],
    }),
    githubEnvironment: vars.variable('github_environment', {
      type: 'string',
      description:
        'GitHub environment of the deploy job. Only a job in it gets the OIDC subject the deploy role trusts, so its protection rules (required reviewers, deployment branches) are what approves a deploy.',
      default: GITHUB_DEPLOY_ENVIRONMENT,
      validation: [
        {
          // No colons, slashes or spaces, so the OIDC subject
          // "repo:<owner>/<name>:environment:<name>" stays unambiguous.
          condition: raw('can(regex("^[A-Za-z0-9._-]{1,255}$", var.github_environment))'),
          error_message: 'github_environment must be 1-255 letters, digits, ".", "_" or "-".',
        },
      ],
    }),
    createGithubOidcProvider: vars.variable('create_github_oidc_provider', {
      type: 'bool',
      description:
        'Create the GitHub Actions OIDC provider. Set false when the account already has one (only one per URL is allowed); it is then looked up.',
      default: true,
    }),
    albDeletionProtection: vars.variable('alb_deletion_protection', {
      type: 'bool',
      description: 'Enable deletion protection on the load balancer.',
      default: true,
    }),
    albAccessLogs: vars.variable('alb_access_logs_enabled', {
      type: 'bool',
      description: 'Write ALB access logs to the encrypted S3 bucket.',
      default: true,
    }),
    accessLogRetentionDays: vars.variable('access_log_retention_days', {
      type: 'number',
      description: 'Days ALB access logs are kept in S3 before expiring.',
      default: 90,
      validation: [
        {
          condition: raw('var.access_log_retention_days >= 1 && var.access_log_retention_days <= 3650'),
          error_message: 'access_log_retention_days must be between 1 and 3650.',
        },
      ],
    }),
    logRetentionDays: vars.variable('log_retention_days', {
      type: 'number',
      description: 'CloudWatch Logs retention for the service, function and WAF logs.',
      default: 30,
      validation: [
        {
          condition: raw(
            'contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)',
          ),
          error_message:
            'log_retention_days must be a retention period CloudWatch Logs supports (e.g. 7, 30, 90, 365).',
        },
      ],
    }),
    logLevel: vars.variable('log_level', {
      type: 'string',
      description: 'LOG_LEVEL of the container.',
      default: 'info',
      validation: [
        {
          condition: raw('contains(["debug", "info", "warn", "error"], var.log_level)'),
          error_message: 'log_level must be one of debug, info, warn, error.',
        },
      ],
    }),
    taskCpu: vars.variable('task_cpu', {
      type: 'number',
      description: 'Fargate task CPU units (256 = 0.25 vCPU … 16384 = 16 vCPU).',
      default: 256,
      validation: [
        {
          condition: raw(`contains(${hcl([...FARGATE_CPU_UNITS])}, var.task_cpu)`),
          error_message: `task_cpu must be one of ${FARGATE_CPU_UNITS.join(', ')}.`,
        },
      ],
    }),
    taskMemory: vars.variable('task_memory', {
      type: 'number',
      description: `Fargate task memory (MiB), valid for task_cpu: ${fargateSizesText()}.`,
      default: 512,
      validation: [
        {
          condition: raw(fargateMemoryCondition('var.task_cpu', 'var.task_memory')),
          error_message: `task_memory must be a size Fargate offers for task_cpu: ${fargateSizesText()}.`,
        },
      ],
    }),
    lambdaConcurrency: vars.variable('lambda_reserved_concurrency', {
      type: 'number',
      description:
        'Reserved concurrent executions of the delete function: a guaranteed share of the account pool that is also its maximum. Null (the default) reserves nothing, which new accounts need: Lambda refuses a reservation that would leave the account less than its minimum unreserved concurrency.',
      default: null,
      nullable: true,
      validation: [
        {
          condition: raw(
            'var.lambda_reserved_concurrency == null ? true : (var.lambda_reserved_concurrency >= 1 && var.lambda_reserved_concurrency <= 1000 && floor(var.lambda_reserved_concurrency) == var.lambda_reserved_concurrency)',
          ),
          error_message: 'lambda_reserved_concurrency must be null or a whole number between 1 and 1000.',
        },
      ],
    }),
    wafRateLimit: vars.variable('waf_rate_limit', {
      type: 'number',
      description: 'Requests per 5 minutes allowed from one IP address before WAF blocks it.',
      default: 2000,
      validation: [
        {
          condition: raw('var.waf_rate_limit >= 10 && var.waf_rate_limit <= 2000000000'),
          error_message: 'waf_rate_limit must be between 10 and 2,000,000,000 (the WAF limits).',
        },
      ],
    }),
    wafIpv6RateLimit: vars.variable('waf_ipv6_rate_limit', {
      type: 'number',
      description:
        'Requests per 5 minutes allowed from all IPv6 clients together before WAF blocks IPv6 requests. A backstop: one IPv6 client owns a whole /64 (2^64 addresses), so the per-IP limit alone does not bound it.',
      default: 20000,
      validation: [
        {
          condition: raw('var.waf_ipv6_rate_limit >= 10 && var.waf_ipv6_rate_limit <= 2000000000'),
          error_message: 'waf_ipv6_rate_limit must be between 10 and 2,000,000,000 (the WAF limits).',
        },
      ],
    }),
    tableName: vars.variable('table_name', {
      type: 'string',
      description:
        'Name of the DynamoDB table. Table names are unique per account and region: give a second environment in the same account and region its own (e.g. staging_picus_data).',
      default: TABLE.name,
      validation: [
        {
          condition: raw('can(regex("^[A-Za-z0-9_.-]{3,255}$", var.table_name))'),
          error_message: 'table_name must be 3-255 characters: letters, digits, _ . and -.',
        },
      ],
    }),
    tableDeletionProtection: vars.variable('table_deletion_protection', {
      type: 'bool',
      description:
        'Enable deletion protection on the DynamoDB table and the Cognito user pool (deleting the pool would void every client id and secret).',
      default: true,
    }),
    authIssuer: vars.variable('auth_issuer', {
      type: 'string',
      description:
        'Issuer (iss) of the access tokens the API accepts, when an external OAuth 2.0 provider issues them. Empty (the default): an Amazon Cognito user pool is created and issues them.',
      default: '',
      validation: [
        {
          condition: raw('var.auth_issuer == "" || can(regex("^https://[^\\\\s]+$", var.auth_issuer))'),
          error_message: 'auth_issuer must be empty or an https:// URL.',
        },
      ],
    }),
    authJwksUrl: vars.variable('auth_jwks_url', {
      type: 'string',
      description: "The issuer's signing keys (JWKS). Empty: <issuer>/.well-known/jwks.json.",
      default: '',
      validation: [
        {
          condition: raw('var.auth_jwks_url == "" || can(regex("^https://[^\\\\s]+$", var.auth_jwks_url))'),
          error_message: 'auth_jwks_url must be empty or an https:// URL.',
        },
      ],
    }),
    authTokenUrl: vars.variable('auth_token_url', {
      type: 'string',
      description:
        "The token endpoint clients use (shown in the API docs). Empty: Cognito's, or <issuer>/oauth2/token for an external issuer.",
      default: '',
      validation: [
        {
          condition: raw('var.auth_token_url == "" || can(regex("^https://[^\\\\s]+$", var.auth_token_url))'),
          error_message: 'auth_token_url must be empty or an https:// URL.',
        },
      ],
    }),
    corsAllowedOrigins: vars.variable('cors_allowed_origins', {
      type: 'list(string)',
      description:
        'Origins whose browser scripts may call the API (CORS), e.g. ["https://app.example.com"], or ["*"] for any. Empty (the default): none.',
      default: [],
      validation: [
        {
          condition: raw(
            'alltrue([for origin in var.cors_allowed_origins : origin == "*" || can(regex("^https?://[^/\\\\s,]+$", origin))])',
          ),
          error_message:
            'cors_allowed_origins must hold origins like https://app.example.com (no path, no trailing slash), or "*".',
        },
      ],
    }),
    authAudience: vars.variable('auth_audience', {
      type: 'string',
      description:
        'When set, access tokens must name it in aud (leave empty for Cognito, whose access tokens carry no aud).',
      default: '',
    }),
  };

  versions.providers.aws = {
    region: v.region.ref,
    default_tags: {
      tags: { Project: 'picus', Environment: v.environment.ref, ManagedBy: 'terraform' },
    },
  };

  const name = versions.local('name_prefix', tpl`${v.environment.ref}-picus`);
  const caller = versions.dataSource<'account_id'>('aws_caller_identity', 'current', {});
  const partition = versions.dataSource<'partition' | 'dns_suffix'>('aws_partition', 'current', {});
  return { v, name: name.ref, accountId: caller.attr('account_id'), partition: partition.attr('partition') };
}

export type Settings = ReturnType<typeof settings>;
