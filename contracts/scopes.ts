/**
 * Who may call what: OAuth 2.0 scopes, one per kind of access. The operations table names the
 * scope each operation needs; the app enforces it, the OpenAPI document declares it, and the
 * Terraform generator creates the same scopes on the Cognito resource server.
 */
export const RESOURCE_SERVER = 'picus';

export const SCOPES = {
  read: 'picus/read',
  write: 'picus/write',
  delete: 'picus/delete',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

export const SCOPE_DESCRIPTIONS: Readonly<Record<Scope, string>> = {
  'picus/read': 'List and read items.',
  'picus/write': 'Store new items.',
  'picus/delete': 'Delete items.',
};

export const ALL_SCOPES: readonly Scope[] = Object.values(SCOPES);

export const isScope = (value: string): value is Scope => (ALL_SCOPES as readonly string[]).includes(value);

/** The name of the OAuth 2.0 security scheme in the OpenAPI document. */
export const SECURITY_SCHEME = 'oauth2';

/** The realm every `WWW-Authenticate: Bearer` challenge names. */
export const AUTH_REALM = 'picus';
