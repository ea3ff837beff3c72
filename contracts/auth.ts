import { z } from 'zod';

/** `WWW-Authenticate` on 401 and 403 answers (RFC 6750 §3). */
export const WwwAuthenticateHeader = z
  .string()
  .regex(/^Bearer realm="picus"(, error="(invalid_token|insufficient_scope)")?(, scope="[^"]+")?$/)
  .describe(
    'A Bearer challenge (RFC 6750): `error="invalid_token"` when a token was sent but is not valid, ' +
      '`error="insufficient_scope"` with the `scope` needed when it lacks the operation\'s scope, ' +
      'no `error` when no token was sent.',
  );

/** The local OAuth 2.0 issuer's token response (RFC 6749 §5.1), also what Cognito answers. */
export const TokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.literal('Bearer'),
  expires_in: z.int().positive(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** The token endpoint's errors (RFC 6749 §5.2). */
export const TokenError = z.object({
  error: z.enum([
    'invalid_request',
    'invalid_client',
    'invalid_grant',
    'unauthorized_client',
    'unsupported_grant_type',
    'invalid_scope',
  ]),
  error_description: z.string().optional(),
});
export type TokenError = z.infer<typeof TokenError>;
