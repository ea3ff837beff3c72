import type { AuthRefs } from './auth.ts';
import type { Settings } from './settings.ts';
import { cond, type Expr, fn, op } from './tf.ts';

/**
 * The environment the container and the Lambda function share, written once: what both always
 * get, and what each gets only when it is not empty (left out, an unconfigured feature leaves the
 * task definition and the function's configuration as they were).
 */
export interface AppEnvironment {
  readonly always: Readonly<Record<string, Expr | string>>;
  readonly whenSet: Readonly<Record<string, Expr>>;
}

export function appEnvironment(s: Settings, refs: { tableName: Expr; auth: AuthRefs }): AppEnvironment {
  return {
    always: {
      TABLE_NAME: refs.tableName,
      LOG_LEVEL: s.v.logLevel.ref,
      AUTH_MODE: 'jwt',
      AUTH_ISSUER: refs.auth.issuer,
      AUTH_JWKS_URL: refs.auth.jwksUrl,
      AUTH_TOKEN_URL: refs.auth.tokenUrl,
    },
    whenSet: {
      AUTH_AUDIENCE: refs.auth.audience,
      CORS_ALLOWED_ORIGINS: fn('join', ',', s.v.corsAllowedOrigins.ref),
    },
  };
}

/** An ECS container definition's `environment`: a list of `{ name, value }`. */
export function containerEnvironment(env: AppEnvironment, own: Record<string, Expr | string>): Expr {
  const pairs = (entries: Record<string, Expr | string>) =>
    Object.entries(entries).map(([name, value]) => ({ name, value }));
  return fn(
    'concat',
    pairs({ ...own, ...env.always }),
    ...Object.entries(env.whenSet).map(([name, value]) => cond(op(value, '!=', ''), [{ name, value }], [])),
  );
}

/** A Lambda function's `environment.variables`: a map. */
export function functionVariables(env: AppEnvironment, own: Record<string, Expr | string>): Expr {
  return fn(
    'merge',
    { ...own, ...env.always },
    ...Object.entries(env.whenSet).map(([name, value]) => cond(op(value, '!=', ''), { [name]: value }, {})),
  );
}
