import { Elysia, type ValidationError } from 'elysia';
import { allowedMethods } from '../../contracts/api-resources.ts';
import type { PutItemResponse } from '../../contracts/item.ts';
import { operationDetail } from '../../contracts/openapi.ts';
import { operationFor, operations } from '../../contracts/operations.ts';
import { InvalidIdempotencyKey, InvalidKey, InvalidPageRequest } from '../../domain/errors.ts';
import type { ItemService } from '../../domain/item-service.ts';
import { callerOfFailure } from '../shared/auth/auth-failures.ts';
import type { Authorizer } from '../shared/auth/authorizer.ts';
import { ANONYMOUS, type Caller } from '../shared/auth/caller.ts';
import { HttpProblem } from '../shared/http-problem.ts';
import { apiDocs } from './docs/api-docs.ts';
import { pathOf } from './envelope.ts';
import { readJsonBody } from './json-body.ts';
import { problemResponse } from './problem-response.ts';
import { rememberCaller } from './request-caller.ts';

export interface AppOptions {
  readonly service: ItemService;
  readonly auth: Authorizer;
}

/**
 * The container's HTTP API: list, put, get, health and readiness. DELETE is the
 * Lambda's (the task role cannot delete), so here it is only a 405 with `Allow`.
 * Item operations need an access token with the operation's scope (contracts/operations.ts).
 * Handlers throw; onError hands every failure to the one problem mapping.
 * Routes take their request schemas and OpenAPI `detail` from contracts/operations.ts;
 * apiDocs() serves the generated /openapi.json and Swagger UI at /docs.
 */
export function createApp({ service, auth }: AppOptions) {
  // Elysia by default finds the path by skipping 11 characters ("http://a.bc"), which
  // misroutes a request whose Host header is shorter (`Host: a`). The container only
  // speaks plain HTTP (TLS ends at the load balancer), so skipping "http://" is exact.
  return (
    new Elysia({ handler: { standardHostname: false }, strictPath: true })
      .onError(({ code, error, request }) => {
        if (code === 'NOT_FOUND') return problemResponse(routeProblem(request), request);
        if (code === 'VALIDATION') return problemResponse(validationFailure(error), request);
        return problemResponse(error, request);
      })
      // Before validation: an unauthenticated request learns nothing about its own validity.
      .derive(async ({ request, path }): Promise<{ caller: Caller }> => {
        const scope = operationFor(request.method, path)?.scope;
        if (scope === undefined) return { caller: ANONYMOUS };
        try {
          const caller = await auth.authorize(request.headers.get('authorization'), scope);
          rememberCaller(request, caller);
          return { caller };
        } catch (error) {
          rememberCaller(request, callerOfFailure(error));
          throw error;
        }
      })
      .use(apiDocs(auth.settings))
      .get('/health', () => ({ status: 'ok' as const }), { detail: operationDetail(operations.health) })
      .get(
        '/ready',
        async () => {
          await service.ready();
          return { status: 'ready' as const };
        },
        { detail: operationDetail(operations.ready) },
      )
      .get(
        '/picus/list',
        async ({ query }) => {
          const page = await service.list(query.limit, query.cursor);
          return { items: page.items, count: page.items.length, next_cursor: page.nextCursor ?? null };
        },
        { query: operations.listItems.query, detail: operationDetail(operations.listItems) },
      )
      .post(
        '/picus/put',
        async ({ request, set, caller }) => {
          const data = await readJsonBody(request);
          const idempotencyKey = request.headers.get('idempotency-key') ?? undefined;
          const { item, replayed } = await service.put(data, { idempotencyKey, createdBy: caller.subject });
          set.status = 201;
          set.headers.location = `/picus/get/${encodeURIComponent(item.object_id)}`;
          if (replayed) set.headers['idempotent-replayed'] = 'true';
          const body: PutItemResponse = { object_id: item.object_id, created_at: item.created_at };
          return body;
        },
        {
          parse: 'none',
          headers: operations.putItem.headers,
          detail: operationDetail(operations.putItem),
        },
      )
      .get(
        '/picus/get/',
        () => {
          throw new InvalidKey('The key must not be empty.');
        },
        { detail: { hide: true } },
      )
      .get('/picus/get/:key', ({ params }) => service.get(params.key), {
        params: operations.getItem.params,
        detail: operationDetail(operations.getItem),
      })
  );
}

/** A request the route's contract schemas reject, as the domain error it means. */
function validationFailure(error: Readonly<ValidationError>): unknown {
  const details = error.all.map((issue) => ('summary' in issue && issue.summary) || issue.message).join('; ');
  switch (error.type) {
    case 'headers':
      return new InvalidIdempotencyKey('Idempotency-Key must be 1 to 255 visible ASCII characters.');
    case 'params':
      // Elysia yields a null key when its percent-encoding is broken.
      return new InvalidKey('The key is not valid percent-encoded UTF-8.');
    case 'query':
      // Each query issue names its parameter (contracts/query-parameter.ts).
      return new InvalidPageRequest(`${details}.`);
    default:
      // A response that breaks its own contract is our bug, not the caller's.
      return error;
  }
}

/** 405 with `Allow` when the path names a resource of the API, else 404. */
function routeProblem(request: Request): HttpProblem {
  // From the text, not new URL(): a missing or malformed Host makes the URL unparsable, and
  // behind a load balancer the path is all that matters.
  const pathname = pathOf(request.url);
  const allow = allowedMethods(pathname);
  if (allow.includes(request.method)) {
    // A public operation another backend serves (DELETE goes to the Lambda).
    return new HttpProblem('NotFound', `${request.method} ${pathname} is not served by this backend.`);
  }
  if (allow.length > 0) {
    return new HttpProblem('MethodNotAllowed', `${request.method} is not allowed here.`, allow);
  }
  return new HttpProblem('NotFound', `No resource at ${pathname}.`);
}

export type App = ReturnType<typeof createApp>;
