/**
 * Numbers the infrastructure shares with the application. The shutdown timings live here
 * together so a test can check they stay consistent with each other.
 */

/** Port the container listens on (`PORT_APP`). */
export const APP_PORT = 8000;
export const LIVENESS_PATH = '/health';
export const READINESS_PATH = '/ready';
export const CONTAINER_NAME = 'app';
/** Exec-form HEALTHCHECK command of the container image. */
export const CONTAINER_HEALTHCHECK = ['/app/picus-server', '--healthcheck'] as const;

export const SHUTDOWN = {
  /** The server keeps serving in-flight requests for this long after SIGTERM. */
  drainSeconds: 20,
  /** ALB target-group deregistration delay: connections drain before the target is removed. */
  deregistrationDelaySeconds: 25,
  /** ECS stopTimeout: SIGKILL only after the app had its whole drain budget (Fargate max 120). */
  stopTimeoutSeconds: 30,
} as const;

/** The table's default name (the `table_name` variable) and its key. */
export const TABLE = { name: 'picus_data', partitionKey: 'object_id' } as const;

export const LAMBDA = {
  /** Relative to `infra/`: the zip `bun run build` writes to dist/lambda/. */
  zipPath: '../dist/lambda/delete-item.zip',
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  architecture: 'arm64',
  aliasName: 'live',
  memoryMb: 256,
  timeoutSeconds: 10,
} as const;

/** TLS 1.3 (with 1.2 fallback) ALB security policy. */
export const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * The configuration must apply with the 5.x provider many teams still pin (5.100, the last 5.x
 * release, is what the emulated-account test applies) and with the current 6.x: it uses only what
 * both support. `AWS_PROVIDER_SCHEMA_VERSION` is the 6.x schema the offline stand-in serves.
 */
export const AWS_PROVIDER_CONSTRAINT = '>= 5.100, < 7.0';
export const AWS_PROVIDER_TESTED_VERSION = '5.100.0';
export const AWS_PROVIDER_SCHEMA_VERSION = '6.66.0';
export const TERRAFORM_REQUIRED_VERSION = '>= 1.10.0, < 2.0.0';

/** GitHub Actions OIDC issuer. */
export const GITHUB_OIDC_URL = 'https://token.actions.githubusercontent.com';
/** The GitHub environment .github/workflows/deploy.yml's deploy job runs in (the default of github_environment). */
export const GITHUB_DEPLOY_ENVIRONMENT = 'production';
/** The deploy role's longest session: two hours, more than the deploy job's timeout. */
export const DEPLOY_SESSION_SECONDS = 7200;
