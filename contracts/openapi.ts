import { z } from 'zod';
import { type OperationSpec, operationList, type ResponseSpec } from './operations.ts';
import { AUTH_REALM, SCOPE_DESCRIPTIONS, SECURITY_SCHEME } from './scopes.ts';

/**
 * The OpenAPI 3.1 rendering of contracts/operations.ts: the one document the container serves
 * at /openapi.json. It describes the whole public API (DELETE included, whichever backend the
 * load balancer sends it to) from the operations table alone. Nothing here restates a schema:
 * every JSON Schema below is generated from the zod schemas in contracts/.
 */

export const API_TITLE = 'picus';
export const API_VERSION = '1.0.0';
/** The OpenAPI version of the document (3.1.0: what every 3.1 tool reads). */
export const OPENAPI_VERSION = '3.1.0';

type JsonSchema = Record<string, unknown>;
type OpenApiObject = Record<string, unknown>;

const COMPONENTS_PREFIX = '#/components/schemas/';

const TAGS = [
  { name: 'Items', description: 'Store, read, list and delete JSON items.' },
  { name: 'Health', description: 'Liveness and readiness probes.' },
];

const DESCRIPTION = [
  'A REST API over one DynamoDB table. Items are JSON objects stored under an `object_id`.',
  '',
  '- Every response carries `x-request-id` (yours, if you send a sane one).',
  '- Every error is `application/problem+json` (RFC 9457) with `type`, `title`, `status`, `detail` and `request_id`.',
  '- A path with a method its resource does not accept is a 405 with `Allow`; an unknown path is a 404.',
  '- `DELETE /picus/{key}` is served by a Lambda function behind the load balancer; everything else by the container.',
  '- Item operations need an OAuth 2.0 access token (client credentials) with the scope each names: ' +
    '`Authorization: Bearer <token>`. Without one the answer is 401, with one that lacks the scope 403; ' +
    '`/health`, `/ready`, `/docs` and `/openapi.json` are public.',
].join('\n');

/** Where this deployment's clients get tokens; absent when the deployment does not check them. */
export interface DocumentedAuth {
  readonly tokenUrl: string;
}

/** `components.securitySchemes`: OAuth 2.0 client credentials with the API's scopes. */
export function securitySchemes(auth: DocumentedAuth): Record<string, OpenApiObject> {
  return {
    [SECURITY_SCHEME]: {
      type: 'oauth2',
      description: `OAuth 2.0 client credentials (RFC 6749 §4.4); access tokens are RS256 JWTs (realm "${AUTH_REALM}").`,
      flows: { clientCredentials: { tokenUrl: auth.tokenUrl, scopes: { ...SCOPE_DESCRIPTIONS } } },
    },
  };
}

/** The id a contract schema was registered under with `.meta({ id })`, if any. */
function schemaId(schema: z.ZodType): string | undefined {
  const id = z.globalRegistry.get(schema)?.id;
  return typeof id === 'string' ? id : undefined;
}

function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect); named contract schemas become `$ref`s. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const id = schemaId(schema);
  if (id !== undefined) return { $ref: `${COMPONENTS_PREFIX}${id}` };
  return withoutDialect(
    z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema,
  );
}

/** `components.schemas`: every schema of the contract that has a name, with references between them. */
export function componentSchemas(): Record<string, JsonSchema> {
  const named = new Set<string>();
  for (const op of operationList) {
    for (const response of Object.values(op.responses)) {
      const id = schemaId(response.schema);
      if (id !== undefined) named.add(id);
    }
  }
  const all = z.toJSONSchema(z.globalRegistry, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `${COMPONENTS_PREFIX}${id}`,
  }).schemas as Record<string, JsonSchema>;
  const result: Record<string, JsonSchema> = {};
  // Keep the named schemas the operations use and those they reference.
  const pending = [...named];
  while (pending.length > 0) {
    const id = pending.pop() as string;
    if (result[id] || !all[id]) continue;
    result[id] = withoutDialect(all[id]);
    for (const match of JSON.stringify(all[id]).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
      pending.push(match[1] as string);
    }
  }
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => a.localeCompare(b)));
}

/** OpenAPI parameter objects for one location, from a zod object schema. */
function parametersOf(
  schema: z.ZodObject | undefined,
  location: 'path' | 'query' | 'header',
): OpenApiObject[] {
  if (!schema) return [];
  const json = jsonSchemaOf(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, examples, ...propertySchema } = property;
    return {
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: propertySchema,
      ...(Array.isArray(examples) && examples.length > 0 ? { example: examples[0] } : {}),
    };
  });
}

function responseObject(response: ResponseSpec): OpenApiObject {
  const headers: Record<string, OpenApiObject> = {};
  for (const [name, header] of Object.entries(response.headers)) {
    const { description, ...schema } = jsonSchemaOf(header.schema);
    headers[name] = {
      required: header.required,
      ...(typeof description === 'string' ? { description } : {}),
      schema,
    };
  }
  return {
    description: response.description,
    headers,
    content: {
      [response.contentType]: { schema: jsonSchemaOf(response.schema), examples: response.examples },
    },
  };
}

/** The OpenAPI operation object of `op`. */
export function openApiOperation(op: OperationSpec): OpenApiObject {
  const responses: Record<string, OpenApiObject> = {};
  for (const [status, response] of Object.entries(op.responses)) responses[status] = responseObject(response);
  const parameters = [
    ...parametersOf(op.params, 'path'),
    ...parametersOf(op.query, 'query'),
    ...parametersOf(op.headers, 'header'),
  ];
  const operation: OpenApiObject = {
    operationId: op.operationId,
    summary: op.summary,
    description: op.description,
    tags: [op.tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.scope !== undefined ? { security: [{ [SECURITY_SCHEME]: [op.scope] }] } : {}),
    responses,
  };
  if (op.body) {
    const example = z.globalRegistry.get(op.body.schema)?.examples;
    operation.requestBody = {
      required: true,
      description: `At most ${op.body.maxBytes} bytes.`,
      content: {
        [op.body.contentType]: {
          schema: jsonSchemaOf(op.body.schema, 'input'),
          ...(Array.isArray(example) && example.length > 0 ? { example: example[0] } : {}),
        },
      },
    };
  }
  return operation;
}

type Paths = Record<string, Record<string, OpenApiObject>>;

/**
 * The whole document: every operation of the table, the named schemas, and (when the
 * deployment checks tokens) how to get one. Without authentication the operations need no
 * token, and the document says none.
 */
export function openApiDocument(auth: DocumentedAuth | undefined): OpenApiObject {
  const paths: Paths = {};
  for (const op of operationList) {
    const operation = openApiOperation(op);
    if (auth === undefined) delete operation.security;
    paths[op.path] = { ...paths[op.path], [op.method.toLowerCase()]: operation };
  }
  return {
    openapi: OPENAPI_VERSION,
    info: { title: API_TITLE, version: API_VERSION, description: DESCRIPTION },
    tags: TAGS,
    paths,
    components: {
      schemas: componentSchemas(),
      ...(auth !== undefined ? { securitySchemes: securitySchemes(auth) } : {}),
    },
  };
}
