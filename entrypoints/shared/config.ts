import * as z from 'zod/mini';
import { parseCorsOrigins } from './cors.ts';

const port = (fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(65535)), fallback);
const positiveMs = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.minimum(1)), fallback);

/**
 * Every environment variable the service reads, with its default. Parsed once at
 * start-up: a bad value stops the process with a message instead of surfacing later.
 * zod/mini, not zod: the Lambda parses this on every cold start, and the classic API's
 * definitions cost it about 10 ms more (README, Performance).
 */
export const ConfigSchema = z.object({
  /** Port of the container app. */
  PORT_APP: port(8000),
  /** Port of the local load balancer (local stack only). */
  PORT: port(8080),
  /**
   * Interface to listen on. Unset: the container binds every interface (0.0.0.0, as a task must)
   * and the local stack's load balancer binds loopback only (127.0.0.1: this machine alone).
   */
  HOST: z.optional(z.string().check(z.minLength(1))),
  TABLE_NAME: z._default(z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/)), 'picus_data'),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
  /** DynamoDB endpoint override (the embedded engine); unset in AWS. */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /** `dynamodb` (default) or `memory` (in-process, lost on exit). */
  PICUS_STORE: z._default(z.enum(['dynamodb', 'memory']), 'dynamodb'),
  LOG_LEVEL: z._default(z.enum(['debug', 'info', 'warn', 'error', 'silent']), 'info'),
  /**
   * `emf`: request lines also carry their CloudWatch metrics (README, Logs and metrics); `off`:
   * plain lines, no custom metrics (and none of their cost).
   */
  APP_METRICS: z._default(z.enum(['emf', 'off']), 'emf'),
  /** How long SIGTERM waits for in-flight requests before closing connections. */
  SHUTDOWN_TIMEOUT_MS: positiveMs(20_000),
  /**
   * How long a SIGTERMed container keeps serving, with /ready at 503 and
   * `Connection: close` on every response, before it closes its listener: time for a
   * load balancer that health-checks /ready to take it out. Counts within the drain
   * timeout. 0 on ECS, where the ALB deregisters the task before SIGTERM.
   */
  SHUTDOWN_NOTICE_MS: z._default(z.coerce.number().check(z.int(), z.minimum(0)), 0),
  /** Per-attempt DynamoDB budget; with the attempts below it bounds a request's store time. */
  DYNAMODB_TIMEOUT_MS: positiveMs(1_000),
  DYNAMODB_MAX_ATTEMPTS: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10)), 3),
  /** Where the local stack keeps the embedded DynamoDB's files. */
  DATA_DIR: z._default(z.string().check(z.minLength(1)), '.data'),
  /**
   * `jwt`: every item operation needs an OAuth 2.0 access token (RS256 JWT) from AUTH_ISSUER with
   * the operation's scope. `none` turns that off; it must be chosen explicitly.
   */
  AUTH_MODE: z._default(z.enum(['jwt', 'none']), 'jwt'),
  /** The tokens' `iss`, exactly (Cognito: https://cognito-idp.<region>.amazonaws.com/<pool id>). */
  AUTH_ISSUER: z.optional(z.url()),
  /** The issuer's signing keys; default `<AUTH_ISSUER>/.well-known/jwks.json`. */
  AUTH_JWKS_URL: z.optional(z.url()),
  /** When set (not empty), tokens must carry it in `aud` (Cognito access tokens have no `aud`). */
  AUTH_AUDIENCE: z.pipe(
    z.optional(z.string()),
    z.transform((value) => (value === '' ? undefined : value)),
  ),
  /** The token endpoint clients use, shown in the API docs; default `<AUTH_ISSUER>/oauth2/token`. */
  AUTH_TOKEN_URL: z.optional(z.url()),
  /**
   * Extra clients of the local stack's issuer, as JSON:
   * `[{"id":"reader","secret":"reader-secret","scopes":["picus/read"]}]`.
   */
  PICUS_LOCAL_CLIENTS: z.optional(z.string()),
  /**
   * Origins whose browser scripts may call the API (CORS), comma-separated, e.g.
   * `https://app.example.com,http://localhost:5173`, or `*` for any. Unset or empty: none.
   */
  CORS_ALLOWED_ORIGINS: z.pipe(
    z.optional(z.string()),
    z.transform((text, ctx) => {
      try {
        return parseCorsOrigins(text);
      } catch (error) {
        ctx.issues.push({ code: 'custom', message: (error as Error).message, input: text });
        return z.NEVER;
      }
    }),
  ),
});

export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
