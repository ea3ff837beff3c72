import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { TokenError, TokenResponse } from '../../../contracts/auth.ts';
import { SCOPES } from '../../../contracts/scopes.ts';
import { createAuthorizer } from '../../shared/auth/authorizer.ts';
import { type LocalIssuerServer, serveLocalIssuer } from '../local-issuer-server.ts';
import { DEFAULT_LOCAL_CLIENT, localClients } from '../oauth-issuer.ts';

const READER = { id: 'reader:1', secret: 'p@ss word', scopes: [SCOPES.read] };

let server: LocalIssuerServer;
beforeAll(async () => {
  server = await serveLocalIssuer([DEFAULT_LOCAL_CLIENT, READER]);
});
afterAll(() => server.stop());

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** RFC 6749 §2.3.1: each part form-urlencoded, then base64. */
const basic = (id: string, secret: string) =>
  `Basic ${btoa(`${new URLSearchParams({ a: id }).toString().slice(2)}:${new URLSearchParams({ a: secret }).toString().slice(2)}`)}`;

function token(body: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(server.issuer.tokenUrl, {
    method: 'POST',
    headers: { ...FORM, ...headers },
    body: new URLSearchParams(body),
  });
}

async function expectTokenError(response: Response, status: number, error: TokenError['error']) {
  expect(response.status).toBe(status);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(TokenError.parse(await response.json()).error).toBe(error);
}

describe('POST /oauth2/token (client credentials)', () => {
  test('HTTP Basic client authentication: a Cognito-shaped RS256 access token the API accepts', async () => {
    const response = await token(
      { grant_type: 'client_credentials' },
      { authorization: basic(DEFAULT_LOCAL_CLIENT.id, DEFAULT_LOCAL_CLIENT.secret) },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = TokenResponse.parse(await response.json());
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'picus/read picus/write picus/delete',
    });
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({
      iss: server.issuer.issuer,
      sub: 'picus-local',
      client_id: 'picus-local',
      token_use: 'access',
      scope: 'picus/read picus/write picus/delete',
    });
    expect(claims.aud).toBeUndefined();
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    const caller = await createAuthorizer({
      mode: 'jwt',
      issuer: server.issuer.issuer,
      jwksUrl: server.issuer.jwksUrl,
      tokenUrl: server.issuer.tokenUrl,
    }).authorize(`Bearer ${body.access_token}`, SCOPES.delete);
    expect(caller.subject).toBe('picus-local');
  });

  test('client_id and client_secret in the body work too; special characters are form-decoded in Basic', async () => {
    expect(
      (await token({ grant_type: 'client_credentials', client_id: READER.id, client_secret: READER.secret }))
        .status,
    ).toBe(200);
    const viaBasic = await token(
      { grant_type: 'client_credentials' },
      { authorization: basic(READER.id, READER.secret) },
    );
    expect(TokenResponse.parse(await viaBasic.json()).scope).toBe('picus/read');
  });

  test('a subset of the client’s scopes may be asked for; any other scope is invalid_scope', async () => {
    const auth = { authorization: basic(DEFAULT_LOCAL_CLIENT.id, DEFAULT_LOCAL_CLIENT.secret) };
    const narrowed = await token({ grant_type: 'client_credentials', scope: 'picus/read' }, auth);
    expect(TokenResponse.parse(await narrowed.json()).scope).toBe('picus/read');
    await expectTokenError(
      await token({ grant_type: 'client_credentials', scope: 'picus/admin' }, auth),
      400,
      'invalid_scope',
    );
    await expectTokenError(
      await token(
        { grant_type: 'client_credentials', scope: 'picus/write' },
        { authorization: basic(READER.id, READER.secret) },
      ),
      400,
      'invalid_scope',
    );
  });

  test('wrong or unknown client credentials: 401 invalid_client (with a Basic challenge when Basic was used)', async () => {
    const wrong = await token(
      { grant_type: 'client_credentials' },
      { authorization: basic('picus-local', 'nope') },
    );
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="picus"');
    await expectTokenError(wrong, 401, 'invalid_client');
    await expectTokenError(
      await token({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x' }),
      401,
      'invalid_client',
    );
    await expectTokenError(await token({ grant_type: 'client_credentials' }), 401, 'invalid_client');
  });

  test('malformed requests: RFC 6749 §5.2 errors', async () => {
    const auth = { authorization: basic(DEFAULT_LOCAL_CLIENT.id, DEFAULT_LOCAL_CLIENT.secret) };
    await expectTokenError(await token({}, auth), 400, 'invalid_request');
    await expectTokenError(await token({ grant_type: 'password' }, auth), 400, 'unsupported_grant_type');
    await expectTokenError(
      await token({ grant_type: 'client_credentials', client_id: 'picus-local', client_secret: 'x' }, auth),
      400,
      'invalid_request',
    );
    const twice = await fetch(server.issuer.tokenUrl, {
      method: 'POST',
      headers: { ...FORM, ...auth },
      body: 'grant_type=client_credentials&grant_type=client_credentials',
    });
    await expectTokenError(twice, 400, 'invalid_request');
    const asJson = await fetch(server.issuer.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: '{"grant_type":"client_credentials"}',
    });
    await expectTokenError(asJson, 400, 'invalid_request');
    const get = await fetch(server.issuer.tokenUrl);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});

describe('the issuer’s keys and metadata', () => {
  test('the JWKS lists the public signing key only', async () => {
    const jwks = (await (await fetch(server.issuer.jwksUrl)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwks.keys[0]?.[secret]).toBeUndefined();
  });

  test('/.well-known/openid-configuration points at the token endpoint and the keys', async () => {
    const metadata = await (await fetch(`${server.issuer.issuer}/.well-known/openid-configuration`)).json();
    expect(metadata).toMatchObject({
      issuer: server.issuer.issuer,
      token_endpoint: server.issuer.tokenUrl,
      jwks_uri: server.issuer.jwksUrl,
      grant_types_supported: ['client_credentials'],
    });
  });
});

describe('PICUS_LOCAL_CLIENTS', () => {
  test('adds clients after picus-local; bad values stop the stack with a message naming the variable', () => {
    expect(localClients(undefined)).toEqual([DEFAULT_LOCAL_CLIENT]);
    expect(localClients('[{"id":"r","secret":"s","scopes":["picus/read"]}]').map((c) => c.id)).toEqual([
      'picus-local',
      'r',
    ]);
    for (const bad of [
      'not json',
      '[{"id":"r","secret":"s","scopes":["picus/admin"]}]',
      '[{"id":"picus-local","secret":"s","scopes":[]}]',
      '{"id":"r"}',
    ]) {
      expect(() => localClients(bad)).toThrow(/PICUS_LOCAL_CLIENTS/);
    }
  });
});
