import { Elysia } from 'elysia';
import { operationFor } from '../../contracts/operation-routes.ts';
import { InvalidKey } from '../../domain/errors.ts';
import type { ItemService } from '../../domain/item-service.ts';
import { callerOfFailure } from '../shared/auth/auth-failures.ts';
import type { Authorizer } from '../shared/auth/authorizer.ts';
import { routeProblem } from '../shared/route-problem.ts';
import { CONTAINER_OPERATIONS } from './container-operations.ts';
import { apiDocs } from './docs/api-docs.ts';
import { type AppHandler, pathOf } from './envelope.ts';
import { Exchange } from './exchange.ts';

export interface AppOptions {
  readonly service: ItemService;
  readonly auth: Authorizer;
}

/** The container's app, as the envelope drives it (./envelope.ts). */
export interface App {
  /** Answers with the reply and the caller, or with what failed (the envelope maps it). */
  readonly handle: AppHandler;
}

/**
 * The container's HTTP API: list, put, get, health and readiness, found in the operations table
 * (contracts/operation-routes.ts) and served by ./container-operations.ts. DELETE is the
 * Lambda's (the task role cannot delete), so here it is only a 405 with `Allow` or a 404.
 * Item operations need an access token with the operation's scope, checked before anything
 * else: an unauthenticated request learns nothing about its own validity. Whatever names no
 * operation (the docs: /openapi.json and Swagger UI at /docs) goes to Elysia. Every failure is
 * returned to the envelope, the one place failures become problems.
 */
export function createApp({ service, auth }: AppOptions): App {
  // Elysia by default finds the path by skipping 11 characters ("http://a.bc"), which
  // misroutes a request whose Host header is shorter (`Host: a`). The container only
  // speaks plain HTTP (TLS ends at the load balancer), so skipping "http://" is exact.
  const rest = new Elysia({ handler: { standardHostname: false }, strictPath: true })
    .onError(({ code, error, request }) => {
      if (code === 'NOT_FOUND') throw routeProblem(request.method, pathOf(request.url));
      throw error;
    })
    .use(apiDocs(auth.settings))
    .get('/picus/get/', () => {
      throw new InvalidKey('The key must not be empty.');
    });
  return {
    async handle(request, path) {
      const op = operationFor(request.method, path);
      const exchange = new Exchange(service, op?.metric);
      try {
        if (op === undefined) return { response: await rest.handle(request) };
        if (op.scope !== undefined) {
          exchange.caller = await auth.authorize(request.headers.get('authorization'), op.scope);
        }
        const serve = CONTAINER_OPERATIONS.get(op);
        if (serve === undefined) throw routeProblem(request.method, path);
        const reply = await serve(request, path, exchange);
        const { caller, operation, storeMs, replayed } = exchange;
        return { reply, caller, operation, storeMs, replayed };
      } catch (failure) {
        const { operation, storeMs, replayed } = exchange;
        return { failure, caller: callerOfFailure(failure) ?? exchange.caller, operation, storeMs, replayed };
      }
    },
  };
}
