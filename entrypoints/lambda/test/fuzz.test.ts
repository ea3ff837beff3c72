import { afterAll, beforeAll, expect, test } from 'bun:test';
import type { ALBEvent } from 'aws-lambda';
import fc from 'fast-check';
import { MemoryItemRepository } from '../../../adapters/memory/memory-item-repository.ts';
import { Problem } from '../../../contracts/problem.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { createAuthorizer } from '../../shared/auth/authorizer.ts';
import { startTestIssuer, type TestIssuer } from '../../shared/auth/test/test-issuer.ts';
import { createLogger } from '../../shared/logger.ts';
import {
  hostileAuthorization,
  hostileBody,
  hostileHeaderValue,
  hostileKey,
  hostilePath,
} from '../../test/fuzz-arbitraries.ts';
import { createDeleteHandler } from '../delete-handler.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const SEEDED = ['keep-1', 'keep-2', 'a b', 'ü/x'];

let issuer: TestIssuer;
let authorization: ReturnType<typeof hostileAuthorization>;
beforeAll(async () => {
  issuer = await startTestIssuer();
  authorization = hostileAuthorization(await issuer.token(), [
    await issuer.token({ scope: 'picus/read picus/write' }),
    await issuer.token({ exp: Math.floor(Date.now() / 1000) - 3600 }),
    await issuer.token({ iss: 'https://elsewhere.example' }),
  ]);
});
afterAll(() => issuer.stop());

const headerMap = fc.dictionary(
  fc.constantFrom('x-request-id', 'X-Request-Id', 'x-amzn-trace-id', 'content-type', 'user-agent', 'host'),
  hostileHeaderValue,
  { maxKeys: 4 },
);

const albEvent = () =>
  fc.record({
    httpMethod: fc.constantFrom('DELETE', 'DELETE', 'GET', 'POST', 'HEAD', 'PATCH', 'OPTIONS'),
    path: fc.oneof(
      hostilePath,
      hostileKey.map((k) => `/picus/${k}`),
      fc.constantFrom(...SEEDED.map((k) => `/picus/${encodeURIComponent(k)}`)),
    ),
    query: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    headers: fc.option(headerMap, { nil: undefined }),
    authorization,
    multi: fc.boolean(),
    body: hostileBody.map((b) => (b instanceof Uint8Array ? Buffer.from(b).toString('base64') : (b ?? ''))),
    isBase64Encoded: fc.boolean(),
  });

test(`Lambda handler under ${RUNS} generated ALB events: no 5xx, well-formed results, deletes only what is named`, async () => {
  const repository = new MemoryItemRepository();
  for (const id of SEEDED)
    await repository.create({
      object_id: id,
      data: {},
      created_at: new Date().toISOString(),
      created_by: null,
    });
  const handler = createDeleteHandler(
    new ItemService(repository),
    createLogger('silent'),
    createAuthorizer(issuer.settings),
  );
  const statuses = new Map<number, number>();
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(albEvent(), async (e) => {
      cases++;
      // Events without any headers stay possible: no token and no other header.
      const withAuth: Record<string, string> | undefined =
        e.headers === undefined && e.authorization === undefined
          ? undefined
          : { ...e.headers, ...(e.authorization !== undefined ? { Authorization: e.authorization } : {}) };
      const event: ALBEvent = {
        requestContext: {
          elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1' },
        },
        httpMethod: e.httpMethod,
        path: e.path,
        body: e.body,
        isBase64Encoded: e.isBase64Encoded,
        ...(e.multi
          ? {
              multiValueHeaders: Object.fromEntries(Object.entries(withAuth ?? {}).map(([k, v]) => [k, [v]])),
              multiValueQueryStringParameters: Object.fromEntries(
                Object.entries(e.query).map(([k, v]) => [k, [v]]),
              ),
            }
          : { headers: withAuth, queryStringParameters: e.query }),
      };
      const before = repository.size;
      const result = await handler(event);
      statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
      expect(result.statusCode).toBeLessThan(500);
      expect(result.statusDescription).toMatch(/^\d{3} [A-Z][A-Za-z ]+$/);
      expect(result.isBase64Encoded).toBe(false);
      const headers = e.multi ? result.multiValueHeaders : result.headers;
      expect(headers).toBeDefined();
      expect(e.multi ? result.headers : result.multiValueHeaders).toBeUndefined();
      for (const value of Object.values(headers ?? {})) {
        for (const v of Array.isArray(value) ? value : [value]) expect(typeof v).toBe('string');
      }
      const header = (name: string) => {
        const value = headers?.[name];
        return Array.isArray(value) ? value[0] : value;
      };
      expect(header('x-request-id')).toBeTruthy();
      if (result.statusCode >= 400) {
        expect(header('content-type')).toBe('application/problem+json');
        const problem = Problem.parse(JSON.parse(result.body ?? ''));
        expect(problem.status).toBe(result.statusCode);
      }
      // Only a 200 DELETE removes an item, and exactly one.
      const deleted = result.statusCode === 200 && e.httpMethod === 'DELETE';
      expect(repository.size).toBe(before - (deleted ? 1 : 0));
    }),
    { numRuns: RUNS },
  );
  console.log(
    `fuzz(lambda): ${cases} events; statuses ${[...statuses]
      .sort(([a], [b]) => a - b)
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`,
  );
  expect(cases).toBe(RUNS);
}, 120_000);
