import { Elysia, type ValidationError } from 'elysia';
import type { PutItemResponse } from '../../contracts/item.ts';
import type { MetricOperation } from '../../contracts/metrics.ts';
import { operationFor } from '../../contracts/operation-routes.ts';
import { operations } from '../../contracts/operations.ts';
import { InvalidIdempotencyKey, InvalidKey, InvalidPageRequest } from '../../domain/errors.ts';
import { IDEMPOTENCY_KEY_RULE } from '../../domain/item-rules.ts';
import type { ItemService } from '../../domain/item-service.ts';
import { callerOfFailure } from '../shared/auth/auth-failures.ts';
import type { Authorizer } from '../shared/auth/authorizer.ts';
import { ANONYMOUS, type Caller } from '../shared/auth/caller.ts';
import { MALFORMED_KEY } from '../shared/path-key.ts';
import { routeProblem } from '../shared/route-problem.ts';
import { type StoreClock, TimedRepository } from '../shared/timed-repository.ts';
import { apiDocs } from './docs/api-docs.ts';
import { type AppHandler, pathOf } from './envelope.ts';
import { readJsonBody } from './json-body.ts';

export interface AppOptions {
  readonly service: ItemService;
  readonly auth: Authorizer;
}

/** The container's app, as the envelope drives it (./envelope.ts). */
export interface App {
  /** Answers with the response and the caller, or rejects with what failed (the envelope maps it). */
  readonly handle: AppHandler;
}

/**
 * The container's HTTP API: list, put, get, health and readiness. DELETE is the
 * Lambda's (the task role cannot delete), so here it is only a 405 with `Allow`.
 * Item operations need an access token with the operation's scope (contracts/operations.ts),
 * checked before the framework sees the request: an unauthenticated request learns nothing
 * about its own validity. Every failure is rethrown to the envelope, the one place failures
 * become problems. Routes take their request schemas from contracts/operations.ts; apiDocs()
 * serves /openapi.json and Swagger UI at /docs.
 */
export function createApp({ service, auth }: AppOptions): App {
  // Elysia builds each request's context itself; the exchange made below (the caller proved,
  // what the routes measure) reaches the routes through this map, local to this app, for as
  // long as its request lives.
  const exchanges = new WeakMap<Request, Exchange>();
  // Looked up by the routes that need it, not derived for every request (a lifecycle hook
  // Elysia would run on each request, /health and the docs included).
  const exchangeOf = (request: Request) => exchanges.get(request) ?? new Exchange(service, undefined);
  // Elysia by default finds the path by skipping 11 characters ("http://a.bc"), which
  // misroutes a request whose Host header is shorter (`Host: a`). The container only
  // speaks plain HTTP (TLS ends at the load balancer), so skipping "http://" is exact.
  const routes = new Elysia({ handler: { standardHostname: false }, strictPath: true })
    .onError(({ code, error, request }) => {
      if (code === 'NOT_FOUND') throw routeProblem(request.method, pathOf(request.url));
      if (code === 'VALIDATION') throw validationFailure(error);
      throw error;
    })
    .use(apiDocs(auth.settings))
    .get(routeOf(operations.health), () => ({ status: 'ok' as const }))
    .get(routeOf(operations.ready), async ({ request }) => {
      await exchangeOf(request).service.ready();
      return { status: 'ready' as const };
    })
    .get(
      routeOf(operations.listItems),
      async ({ query, request }) => {
        const page = await exchangeOf(request).service.list(query.limit, query.cursor);
        return { items: page.items, count: page.items.length, next_cursor: page.nextCursor ?? null };
      },
      { query: operations.listItems.query },
    )
    .post(
      routeOf(operations.putItem),
      async ({ request, set }) => {
        const exchange = exchangeOf(request);
        const data = await readJsonBody(request);
        const idempotencyKey = request.headers.get('idempotency-key') ?? undefined;
        const createdBy = exchange.caller.subject;
        const { item, replayed } = await exchange.service.put(data, { idempotencyKey, createdBy });
        exchange.replayed = replayed;
        set.status = 201;
        set.headers.location = `/picus/get/${encodeURIComponent(item.object_id)}`;
        if (replayed) set.headers['idempotent-replayed'] = 'true';
        const body: PutItemResponse = { object_id: item.object_id, created_at: item.created_at };
        return body;
      },
      { parse: 'none', headers: operations.putItem.headers },
    )
    .get('/picus/get/', () => {
      throw new InvalidKey('The key must not be empty.');
    })
    .get(routeOf(operations.getItem), ({ params, request }) => exchangeOf(request).service.get(params.key), {
      params: operations.getItem.params,
    });
  return {
    async handle(request) {
      const op = operationFor(request.method, pathOf(request.url));
      const exchange = new Exchange(service, op?.metric);
      try {
        if (op?.scope !== undefined) {
          exchange.caller = await auth.authorize(request.headers.get('authorization'), op.scope);
        }
        exchanges.set(request, exchange);
        const response = await routes.handle(request);
        const { caller, operation, storeMs, replayed } = exchange;
        return { response, caller, operation, storeMs, replayed };
      } catch (failure) {
        const { operation, storeMs, replayed } = exchange;
        return { failure, caller: callerOfFailure(failure) ?? exchange.caller, operation, storeMs, replayed };
      }
    },
  };
}

/** One request's state inside the app: who called, its view of the store, what was measured. */
class Exchange implements StoreClock {
  caller: Caller = ANONYMOUS;
  storeMs: number | undefined = undefined;
  replayed: boolean | undefined = undefined;
  #timed: ItemService | undefined;

  constructor(
    private readonly shared: ItemService,
    readonly operation: MetricOperation | undefined,
  ) {}

  /**
   * The item service over a store whose calls add to `storeMs`, made on first use: /health, the
   * docs and refused requests never reach the store, and pay nothing for it.
   */
  get service(): ItemService {
    this.#timed ??= this.shared.withRepository((repository) => new TimedRepository(repository, this));
    return this.#timed;
  }

  record(ms: number): void {
    this.storeMs = (this.storeMs ?? 0) + ms;
  }
}

/** The operation's path as an Elysia route: `{key}` becomes `:key`. */
function routeOf<const P extends string>(op: { readonly path: P }): ElysiaPath<P> {
  return op.path.replace(/\{(\w+)\}/g, ':$1') as ElysiaPath<P>;
}

type ElysiaPath<P extends string> = P extends `${infer Head}{${infer Name}}${infer Tail}`
  ? `${Head}:${Name}${ElysiaPath<Tail>}`
  : P;

/** A request the route's contract schemas reject, as the domain error it means. */
function validationFailure(error: Readonly<ValidationError>): unknown {
  const details = error.all.map((issue) => ('summary' in issue && issue.summary) || issue.message).join('; ');
  switch (error.type) {
    case 'headers':
      return new InvalidIdempotencyKey(IDEMPOTENCY_KEY_RULE);
    case 'params':
      // Elysia yields a null key when its percent-encoding is broken.
      return new InvalidKey(MALFORMED_KEY);
    case 'query':
      // Each query issue names its parameter (contracts/query-parameter.ts).
      return new InvalidPageRequest(`${details}.`);
    default:
      // A response that breaks its own contract is our bug, not the caller's.
      return error;
  }
}
