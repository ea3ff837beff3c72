import type { Config } from '../config.ts';
import type { AuthSettings } from './authorizer.ts';

/**
 * The authentication settings a process runs with, checked at start: AUTH_MODE=jwt needs an
 * issuer. Throws with the variable to fix, as loadConfig does.
 */
export function authSettingsFrom(config: Config): AuthSettings {
  if (config.AUTH_MODE === 'none') return { mode: 'none' };
  if (config.AUTH_ISSUER === undefined) {
    throw new Error(
      'Invalid configuration: AUTH_ISSUER: required when AUTH_MODE=jwt (the token issuer URL; set AUTH_MODE=none to run without authentication)',
    );
  }
  const issuer = config.AUTH_ISSUER.replace(/\/+$/, '');
  return {
    mode: 'jwt',
    issuer: config.AUTH_ISSUER,
    jwksUrl: config.AUTH_JWKS_URL ?? `${issuer}/.well-known/jwks.json`,
    audience: config.AUTH_AUDIENCE,
    tokenUrl: config.AUTH_TOKEN_URL ?? `${issuer}/oauth2/token`,
  };
}
