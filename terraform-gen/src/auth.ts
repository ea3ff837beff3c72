/**
 * Auth: who issues the access tokens the API checks. By default an Amazon Cognito user pool
 * used only as an OAuth 2.0 authorization server: a domain (the token endpoint), a resource
 * server `picus` with the API's scopes (from contracts/auth.ts, the same list the app enforces)
 * and one app client (client credentials, generated secret) for the deploy pipeline's contract
 * suite. With `auth_issuer` set, an external identity provider issues them and no Cognito is made.
 */
import { RESOURCE_SERVER, SCOPE_DESCRIPTIONS, type Scope } from '../../contracts/scopes.ts';
import type { Settings } from './settings.ts';
import { cond, type Expr, type Fragment, fn, op, tpl } from './tf.ts';

/** Lifetime of the access tokens Cognito issues, in minutes. */
export const ACCESS_TOKEN_MINUTES = 60;

export interface AuthRefs {
  readonly issuer: Expr;
  readonly jwksUrl: Expr;
  readonly tokenUrl: Expr;
  readonly audience: Expr;
  readonly clientId: Expr;
  readonly clientSecret: Expr;
}

export function auth(f: Fragment, s: Settings): AuthRefs {
  const { v, name } = s;
  const useCognito = f.local('use_cognito', op(v.authIssuer.ref, '==', ''));
  const count = cond(useCognito.ref, 1, 0);

  const pool = f.resource<'id' | 'endpoint'>(
    'aws_cognito_user_pool',
    'api',
    {
      name: tpl`${name}-api`,
      // Machines only: nobody signs up, no user ever logs in.
      admin_create_user_config: { allow_admin_create_user_only: true },
      deletion_protection: cond(v.tableDeletionProtection.ref, 'ACTIVE', 'INACTIVE'),
      tags: { Name: tpl`${name}-api` },
    },
    { count },
  );
  const domain = f.resource<'domain'>(
    'aws_cognito_user_pool_domain',
    'api',
    {
      // Cognito prefix domains are global per region: the account id keeps ours unique.
      domain: tpl`${name}-${s.accountId}`,
      user_pool_id: pool.attrAt(0, 'id'),
    },
    { count },
  );
  const server = f.resource<'identifier' | 'scope_identifiers'>(
    'aws_cognito_resource_server',
    'api',
    {
      identifier: RESOURCE_SERVER,
      name: 'picus API',
      user_pool_id: pool.attrAt(0, 'id'),
      scope: Object.entries(SCOPE_DESCRIPTIONS).map(([scope, description]) => ({
        scope_name: (scope as Scope).slice(RESOURCE_SERVER.length + 1),
        scope_description: description,
      })),
    },
    { count },
  );
  const client = f.resource<'id' | 'client_secret'>(
    'aws_cognito_user_pool_client',
    'pipeline',
    {
      name: tpl`${name}-pipeline`,
      user_pool_id: pool.attrAt(0, 'id'),
      generate_secret: true,
      allowed_oauth_flows: ['client_credentials'],
      allowed_oauth_flows_user_pool_client: true,
      allowed_oauth_scopes: server.attrAt(0, 'scope_identifiers'),
      supported_identity_providers: ['COGNITO'],
      explicit_auth_flows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      prevent_user_existence_errors: 'ENABLED',
      enable_token_revocation: true,
      access_token_validity: ACCESS_TOKEN_MINUTES,
      token_validity_units: { access_token: 'minutes', id_token: 'minutes', refresh_token: 'days' },
    },
    { count },
  );

  const cognitoIssuer = tpl`https://cognito-idp.${v.region.ref}.amazonaws.com/${fn('one', pool.all('id'))}`;
  const issuer = f.local(
    'auth_issuer',
    cond(useCognito.ref, cognitoIssuer, fn('trimsuffix', v.authIssuer.ref, '/')),
  );
  const jwksUrl = f.local(
    'auth_jwks_url',
    cond(op(v.authJwksUrl.ref, '!=', ''), v.authJwksUrl.ref, tpl`${issuer.ref}/.well-known/jwks.json`),
  );
  const cognitoTokenUrl = tpl`https://${fn('one', domain.all('domain'))}.auth.${v.region.ref}.amazoncognito.com/oauth2/token`;
  const tokenUrl = f.local(
    'auth_token_url',
    cond(
      op(v.authTokenUrl.ref, '!=', ''),
      v.authTokenUrl.ref,
      cond(useCognito.ref, cognitoTokenUrl, tpl`${issuer.ref}/oauth2/token`),
    ),
  );
  return {
    issuer: issuer.ref,
    jwksUrl: jwksUrl.ref,
    tokenUrl: tokenUrl.ref,
    audience: v.authAudience.ref,
    // "" with an external issuer (no client here): join() of an empty list.
    clientId: fn('join', '', client.all('id')),
    clientSecret: fn('join', '', client.all('client_secret')),
  };
}
