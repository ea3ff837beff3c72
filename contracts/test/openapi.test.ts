import { describe, expect, test } from 'bun:test';
import { z } from 'zod';
import { MemoryItemRepository } from '../../adapters/memory/memory-item-repository.ts';
import {
  IdempotencyConflict,
  InvalidIdempotencyKey,
  InvalidItem,
  InvalidKey,
  InvalidPageRequest,
  ItemNotFound,
  StoreUnavailable,
} from '../../domain/errors.ts';
import { ItemService } from '../../domain/item-service.ts';
import { createApp } from '../../entrypoints/http/app.ts';
import {
  AuthenticationRequired,
  AuthUnavailable,
  InsufficientScope,
  InvalidToken,
} from '../../entrypoints/shared/auth/auth-failures.ts';
import { type AuthSettings, createAuthorizer } from '../../entrypoints/shared/auth/authorizer.ts';
import { HttpProblem, type HttpProblemKind } from '../../entrypoints/shared/http-problem.ts';
import { problemFor } from '../../entrypoints/shared/problem-mapping.ts';
import { apiResources } from '../api-resources.ts';
import { SCOPES } from '../auth.ts';
import { buildOpenApiDocument, componentSchemas, lambdaOperations } from '../openapi.ts';
import { operationList, routeProblems } from '../operations.ts';
import type { Problem } from '../problem.ts';

type Documented = {
  headers: Record<string, { required: boolean }>;
  content: Record<string, unknown>;
};
type Doc = { openapi: string; paths: Record<string, Record<string, unknown>>; components: unknown };

const TOKEN_URL = 'https://auth.example.test/oauth2/token';
const JWT: AuthSettings = {
  mode: 'jwt',
  issuer: 'https://auth.example.test',
  jwksUrl: 'https://auth.example.test/.well-known/jwks.json',
  tokenUrl: TOKEN_URL,
};

async function servedDocument(auth: AuthSettings = JWT): Promise<Doc> {
  const app = createApp({
    service: new ItemService(new MemoryItemRepository()),
    auth: createAuthorizer(auth),
  });
  const response = await app.handle(new Request('http://picus.test/openapi.json'));
  expect(response.status).toBe(200);
  return (await response.json()) as Doc;
}

describe('the operations table', () => {
  test('covers exactly the public resources and methods', () => {
    const fromResources = apiResources.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)).sort();
    const fromOperations = operationList.map((op) => `${op.method} ${op.path}`).sort();
    expect(fromOperations).toEqual(fromResources);
  });

  test('operation ids are unique', () => {
    const ids = operationList.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('every example satisfies the schema it illustrates', () => {
    const responses = [
      ...operationList.flatMap((op) => Object.values(op.responses)),
      ...Object.values(routeProblems),
    ];
    for (const response of responses) {
      for (const [name, example] of Object.entries(response.examples)) {
        const parsed = response.schema.safeParse(example.value);
        expect(parsed.success, `${response.description} / ${name}`).toBe(true);
      }
    }
    for (const op of operationList) {
      for (const shape of [op.params, op.query, op.headers]) {
        for (const [name, field] of Object.entries(shape?.shape ?? {})) {
          for (const example of (z.globalRegistry.get(field as z.ZodType)?.examples as unknown[]) ?? []) {
            expect((field as z.ZodType).safeParse(example).success, `${op.operationId} ${name}`).toBe(true);
          }
        }
      }
      if (op.body) {
        for (const example of (z.globalRegistry.get(op.body.schema)?.examples as unknown[]) ?? []) {
          expect(op.body.schema.safeParse(example).success, `${op.operationId} body`).toBe(true);
        }
      }
    }
  });

  test('every problem example is a problem the server really produces for that status', () => {
    const httpKinds: HttpProblemKind[] = [
      'MalformedRequest',
      'UnsupportedMediaType',
      'PayloadTooLarge',
      'NotFound',
      'MethodNotAllowed',
      'BadGateway',
    ];
    const failures: unknown[] = [
      new ItemNotFound('x'),
      new InvalidKey('x'),
      new InvalidItem('x'),
      new InvalidPageRequest('x'),
      new InvalidIdempotencyKey('x'),
      new IdempotencyConflict('x'),
      new StoreUnavailable(1),
      new AuthenticationRequired(),
      new InvalidToken('expired'),
      new InsufficientScope(SCOPES.read, { subject: 'x', clientId: undefined, scopes: [] }),
      new AuthUnavailable(),
      new Error('anything else'),
      ...httpKinds.map((kind) => new HttpProblem(kind, 'x')),
    ];
    const real = new Set(
      failures.map((failure) => {
        const { body } = problemFor(failure, 'id');
        return `${body.status} ${body.type} ${body.title}`;
      }),
    );
    const responses = [
      ...operationList.flatMap((op) => Object.entries(op.responses)),
      ...Object.entries(routeProblems),
    ];
    for (const [status, response] of responses) {
      if (Number(status) < 400) continue;
      for (const example of Object.values(response.examples)) {
        const problem = example.value as Problem;
        expect(problem.status).toBe(Number(status));
        expect(real).toContain(`${problem.status} ${problem.type} ${problem.title}`);
      }
    }
  });

  test('DELETE is the one operation the container does not serve', () => {
    expect(lambdaOperations().map((op) => op.operationId)).toEqual(['deleteItem']);
  });
});

describe('GET /openapi.json', () => {
  test('is OpenAPI 3.1 and exactly the document generated from the contracts', async () => {
    const served = await servedDocument();
    expect(served.openapi).toBe('3.1.0');
    expect(served).toEqual(buildOpenApiDocument({ tokenUrl: TOKEN_URL }) as unknown as Doc);
    expect(await servedDocument({ mode: 'none' })).toEqual(buildOpenApiDocument(undefined) as unknown as Doc);
  });

  test('declares OAuth 2.0 client credentials with the deployment’s token URL, and each operation’s scope', async () => {
    const served = (await servedDocument()) as Doc & {
      components: { securitySchemes: Record<string, { type: string; flows: Record<string, unknown> }> };
    };
    expect(served.components.securitySchemes.oauth2).toMatchObject({
      type: 'oauth2',
      flows: {
        clientCredentials: {
          tokenUrl: TOKEN_URL,
          scopes: {
            'picus/read': expect.any(String),
            'picus/write': expect.any(String),
            'picus/delete': expect.any(String),
          },
        },
      },
    });
    for (const op of operationList) {
      const documented = served.paths[op.path]?.[op.method.toLowerCase()] as {
        security?: unknown;
        responses: object;
      };
      if (op.scope === undefined) {
        expect(documented.security, op.operationId).toBeUndefined();
      } else {
        expect(documented.security, op.operationId).toEqual([{ oauth2: [op.scope] }]);
        expect(Object.keys(documented.responses), op.operationId).toEqual(
          expect.arrayContaining(['401', '403']),
        );
      }
    }
  });

  test('with AUTH_MODE=none the document asks for no token', async () => {
    const served = (await servedDocument({ mode: 'none' })) as Doc & { components: Record<string, unknown> };
    expect(served.components.securitySchemes).toBeUndefined();
    expect(JSON.stringify(served.paths)).not.toContain('"security"');
  });

  test('documents DELETE /picus/{key} although the container does not serve it', async () => {
    const served = await servedDocument();
    const remove = served.paths['/picus/{key}']?.delete as { responses: Record<string, unknown> };
    expect(Object.keys(remove.responses).sort()).toEqual(['200', '400', '401', '403', '404', '500', '503']);
  });

  test('named schemas are components, referenced and never restated', async () => {
    const served = await servedDocument();
    const text = JSON.stringify(served);
    for (const name of Object.keys(componentSchemas())) {
      expect(text).toContain(`"$ref":"#/components/schemas/${name}"`);
    }
    // Item's properties are defined once, in components; operations only refer to it.
    expect(JSON.stringify(served.paths)).not.toContain('"object_id":{');
  });

  test('every operation documents x-request-id and a problem+json body for each error', async () => {
    const served = await servedDocument();
    for (const methods of Object.values(served.paths)) {
      for (const operation of Object.values(methods) as Array<{ responses: Record<string, Documented> }>) {
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.headers['x-request-id']?.required).toBe(true);
          const media = Number(status) >= 400 ? 'application/problem+json' : 'application/json';
          expect(Object.keys(response.content)).toEqual([media]);
          if (status === '503') expect(response.headers['retry-after']?.required).toBe(true);
        }
      }
    }
  });
});
