import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { SignJWT } from 'jose';
import { SCOPES, type Scope } from '../../../../contracts/scopes.ts';
import {
  AuthenticationRequired,
  AuthUnavailable,
  InsufficientScope,
  InvalidToken,
} from '../auth-failures.ts';
import { createAuthorizer } from '../authorizer.ts';
import { RemoteKeySet } from '../remote-key-set.ts';
import { TokenVerifier } from '../token-verifier.ts';
import { newSigningKey, startTestIssuer, type TestIssuer } from './test-issuer.ts';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(() => issuer.stop());

const bearer = (token: string) => `Bearer ${token}`;
/** The reason of an InvalidToken (anything else is returned as is, to fail the comparison). */
const reason = (failure: unknown) => (failure instanceof InvalidToken ? failure.reason : failure);
const now = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The failure `authorize` throws for this header (or undefined when it accepts it). */
async function refusal(
  authorization: string | undefined,
  scope: Scope = SCOPES.read,
  settings = issuer.settings,
) {
  try {
    await createAuthorizer(settings).authorize(authorization, scope);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('a valid access token', () => {
  test('proves the caller: subject, client, scopes', async () => {
    const caller = await createAuthorizer(issuer.settings).authorize(
      bearer(await issuer.token({ sub: 'svc-7', client_id: 'app-7', scope: 'picus/read picus/write' })),
      SCOPES.write,
    );
    expect(caller).toEqual({ subject: 'svc-7', clientId: 'app-7', scopes: ['picus/read', 'picus/write'] });
  });

  test('the scheme is case-insensitive; scopes may come as `scp`', async () => {
    const token = await issuer.token({ scope: undefined, scp: ['picus/read'] });
    expect(await refusal(`bearer  ${token}`)).toBeUndefined();
  });

  test('60 s of clock skew is tolerated for exp and nbf, no more', async () => {
    expect(await refusal(bearer(await issuer.token({ exp: now() - 30 })))).toBeUndefined();
    expect(await refusal(bearer(await issuer.token({ nbf: now() + 30 })))).toBeUndefined();
    expect(reason(await refusal(bearer(await issuer.token({ exp: now() - 120 }))))).toBe('expired');
    expect(reason(await refusal(bearer(await issuer.token({ nbf: now() + 120 }))))).toBe('not yet valid');
  });
});

describe('refusals', () => {
  test('no Authorization header, or another scheme: 401 with a bare Bearer challenge', async () => {
    for (const header of [undefined, '', 'Basic cGljdXM6c2VjcmV0', 'Token abc']) {
      const failure = await refusal(header);
      expect(failure).toBeInstanceOf(AuthenticationRequired);
      expect((failure as AuthenticationRequired).challenge).toBe('Bearer realm="picus"');
    }
  });

  test.each([
    ['a malformed Bearer value', 'Bearer not a token', 'malformed'],
    ['a token that is not a JWT', 'Bearer abc.def.ghi', 'malformed'],
    ['an empty Bearer value', 'Bearer ', 'malformed'],
  ])('%s: 401 invalid_token', async (_what, header, reason) => {
    const failure = await refusal(header);
    expect(failure).toEqual(new InvalidToken(reason));
    expect((failure as InvalidToken).challenge).toBe('Bearer realm="picus", error="invalid_token"');
  });

  test('wrong issuer, missing exp or sub, an ID token: 401, and the signed identity is kept for the log', async () => {
    const wrongIssuer = (await refusal(
      bearer(await issuer.token({ iss: 'https://elsewhere.example' })),
    )) as InvalidToken;
    expect(wrongIssuer.reason).toBe('wrong issuer');
    expect(wrongIssuer.caller?.subject).toBe('client-1');
    expect(reason(await refusal(bearer(await issuer.token({ exp: undefined }))))).toBe('no exp claim');
    expect(reason(await refusal(bearer(await issuer.token({ sub: undefined }))))).toBe('no sub claim');
    expect(reason(await refusal(bearer(await issuer.token({ token_use: 'id' }))))).toBe(
      'not an access token',
    );
  });

  test('a signature by another key under a known kid: bad signature, no identity', async () => {
    const impostor = { ...(await newSigningKey()), kid: issuer.keys[0]?.kid as string };
    const failure = (await refusal(bearer(await issuer.token({}, { key: impostor })))) as InvalidToken;
    expect(reason(failure)).toBe('bad signature');
    expect(failure.caller).toBeUndefined();
  });

  test('alg "none" is refused', async () => {
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ iss: issuer.issuer, sub: 'x', exp: now() + 60, scope: 'picus/read' })}.`;
    expect(await refusal(bearer(unsigned))).toBeInstanceOf(InvalidToken);
  });

  test('HS256 signed with the public key as the secret is refused (algorithm confusion)', async () => {
    const key = issuer.keys[0];
    const secret = new TextEncoder().encode(JSON.stringify(key?.publicJwk));
    const forged = await new SignJWT({ scope: 'picus/read', client_id: 'x' })
      .setProtectedHeader({ alg: 'HS256', kid: key?.kid as string })
      .setIssuer(issuer.issuer)
      .setSubject('attacker')
      .setExpirationTime('1h')
      .sign(secret);
    expect(reason(await refusal(bearer(forged)))).toBe('signing algorithm not allowed');
  });

  test('a token without the scope: 403 insufficient_scope naming it, with the caller for the log', async () => {
    const failure = (await refusal(
      bearer(await issuer.token({ scope: 'picus/read' })),
      SCOPES.write,
    )) as InsufficientScope;
    expect(failure).toBeInstanceOf(InsufficientScope);
    expect(failure.challenge).toBe('Bearer realm="picus", error="insufficient_scope", scope="picus/write"');
    expect(failure.caller.subject).toBe('client-1');
  });

  test('with AUTH_AUDIENCE, the token must name it in aud', async () => {
    const settings = { ...issuer.settings, audience: 'picus-api' } as typeof issuer.settings;
    expect(reason(await refusal(bearer(await issuer.token()), SCOPES.read, settings))).toBe('no aud claim');
    expect(reason(await refusal(bearer(await issuer.token({ aud: 'other' })), SCOPES.read, settings))).toBe(
      'wrong audience',
    );
    expect(
      await refusal(bearer(await issuer.token({ aud: ['x', 'picus-api'] })), SCOPES.read, settings),
    ).toBe(undefined);
  });
});

describe('the issuer’s keys', () => {
  test('an unknown kid fetches the key set again (rotation); a flood of forged kids costs one fetch', async () => {
    let clock = Date.now();
    const keys = new RemoteKeySet(issuer.jwksUrl, { cooldownMs: 30_000, now: () => clock });
    const verifier = new TokenVerifier({ issuer: issuer.issuer, keys: keys.getKey, now: () => clock });
    await verifier.verify(await issuer.token());
    const before = issuer.fetches;
    const rotated = await issuer.rotate();
    clock += 31_000;
    expect((await verifier.verify(await issuer.token({ sub: 'rotated' }, { key: rotated }))).subject).toBe(
      'rotated',
    );
    expect(issuer.fetches).toBe(before + 1);
    const forged = { ...(await newSigningKey()), kid: 'forged-kid' };
    for (let i = 0; i < 5; i++) {
      const failure = await verifier.verify(await issuer.token({}, { key: forged })).catch((e) => e);
      expect(reason(failure)).toBe('unknown signing key');
    }
    expect(issuer.fetches).toBe(before + 1);
  });

  test('an issuer that is down: 503, after at most the fetch budget, never a hang', async () => {
    const down = await startTestIssuer();
    try {
      down.jwksBehaviour = 'hang';
      const keys = new RemoteKeySet(down.jwksUrl, { timeoutMs: 300 });
      const verifier = new TokenVerifier({ issuer: down.issuer, keys: keys.getKey });
      const started = performance.now();
      const failure = await verifier.verify(await down.token()).catch((e) => e);
      expect(failure).toBeInstanceOf(AuthUnavailable);
      expect(performance.now() - started).toBeLessThan(5_000);
      down.jwksBehaviour = 'error';
      expect(await verifier.verify(await down.token()).catch((e) => e)).toBeInstanceOf(AuthUnavailable);
    } finally {
      await down.stop();
    }
  });

  test('once keys are cached, an outage costs known-key tokens nothing, even past the cache age', async () => {
    let clock = Date.now();
    const flaky = await startTestIssuer();
    try {
      const keys = new RemoteKeySet(flaky.jwksUrl, { timeoutMs: 300, maxAgeMs: 1_000, now: () => clock });
      const verifier = new TokenVerifier({ issuer: flaky.issuer, keys: keys.getKey, now: () => clock });
      await verifier.verify(await flaky.token({ sub: 'a' }));
      flaky.jwksBehaviour = 'hang';
      clock += 60_000;
      const started = performance.now();
      expect((await verifier.verify(await flaky.token({ sub: 'b' }))).subject).toBe('b');
      expect(performance.now() - started).toBeLessThan(250);
    } finally {
      await flaky.stop();
    }
  });
});

describe('verified tokens are remembered until they expire', () => {
  test('a remembered token is refused once its exp (plus skew) has passed', async () => {
    let clock = Date.now();
    const verifier = new TokenVerifier({
      issuer: issuer.issuer,
      keys: new RemoteKeySet(issuer.jwksUrl).getKey,
      now: () => clock,
    });
    const token = await issuer.token({ exp: Math.floor(clock / 1000) + 10 });
    expect((await verifier.verify(token)).subject).toBe('client-1');
    expect((await verifier.verify(token)).subject).toBe('client-1');
    clock += 75_000;
    expect(reason(await verifier.verify(token).catch((e) => e))).toBe('expired');
  });
});
