import { describe, expect, test } from 'bun:test';
import { z } from 'zod';
import { apiResources } from '../api-resources.ts';
import { componentSchemas, type DocumentedAuth, openApiDocument } from '../openapi.ts';
import { operationList, routeProblems } from '../operations.ts';

type Documented = {
  headers: Record<string, { required: boolean }>;
  content: Record<string, unknown>;
};
type Doc = { openapi: string; paths: Record<string, Record<string, unknown>>; components: unknown };

const TOKEN_URL = 'https://auth.example.test/oauth2/token';

/** The document as a client reads it: JSON, nothing but data. */
function documentFor(auth: DocumentedAuth | undefined): Doc {
  return JSON.parse(JSON.stringify(openApiDocument(auth))) as Doc;
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
});

describe('the OpenAPI document', () => {
  test('is OpenAPI 3.1 and lists every operation of the table, whichever backend serves it', () => {
    const doc = documentFor({ tokenUrl: TOKEN_URL });
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(operationList.map((op) => `${op.method} ${op.path}`).sort());
  });

  test('declares OAuth 2.0 client credentials with the deployment’s token URL, and each operation’s scope', () => {
    const served = documentFor({ tokenUrl: TOKEN_URL }) as Doc & {
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

  test('with AUTH_MODE=none the document asks for no token', () => {
    const served = documentFor(undefined) as Doc & { components: Record<string, unknown> };
    expect(served.components.securitySchemes).toBeUndefined();
    expect(JSON.stringify(served.paths)).not.toContain('"security"');
  });

  test('documents DELETE /picus/{key} although the container does not serve it', () => {
    const served = documentFor({ tokenUrl: TOKEN_URL });
    const remove = served.paths['/picus/{key}']?.delete as { responses: Record<string, unknown> };
    expect(Object.keys(remove.responses).sort()).toEqual(['200', '400', '401', '403', '404', '500', '503']);
  });

  test('named schemas are components, referenced and never restated', () => {
    const served = documentFor({ tokenUrl: TOKEN_URL });
    const text = JSON.stringify(served);
    for (const name of Object.keys(componentSchemas())) {
      expect(text).toContain(`"$ref":"#/components/schemas/${name}"`);
    }
    // Item's properties are defined once, in components; operations only refer to it.
    expect(JSON.stringify(served.paths)).not.toContain('"object_id":{');
  });

  test('every operation documents x-request-id and a problem+json body for each error', () => {
    const served = documentFor({ tokenUrl: TOKEN_URL });
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
