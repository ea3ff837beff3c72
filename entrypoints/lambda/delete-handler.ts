import type { ALBEvent, ALBResult } from 'aws-lambda';
import type { DeleteItemResponse } from '../../contracts/item.ts';
import { OPERATION_ROUTES, operationFor } from '../../contracts/operation-routes.ts';
import { templatePrefix } from '../../contracts/path-template.ts';
import type { ItemService } from '../../domain/item-service.ts';
import { callerOfFailure } from '../shared/auth/auth-failures.ts';
import type { Authorizer } from '../shared/auth/authorizer.ts';
import type { Caller } from '../shared/auth/caller.ts';
import type { CorsPolicy } from '../shared/cors.ts';
import type { Logger } from '../shared/logger.ts';
import { decodePathKey } from '../shared/path-key.ts';
import { problemReply } from '../shared/reply.ts';
import { requestIdFrom } from '../shared/request-id.ts';
import { logRequest } from '../shared/request-log.ts';
import { responseHeaders } from '../shared/response-headers.ts';
import { routeProblem } from '../shared/route-problem.ts';
import { TimedRepository } from '../shared/timed-repository.ts';
import { albHeader, albResult } from './alb-event.ts';

const DELETE_ITEM = OPERATION_ROUTES.deleteItem;
/** `/picus/`: what precedes the key in the operation's path template. */
const KEY_PREFIX = templatePrefix(DELETE_ITEM.path);

/**
 * `DELETE /picus/{key}` for an ALB Lambda target group. ALB events carry no path
 * parameters: the key is the rest of `path`, percent-decoded. Everything else the
 * rule might send here is answered as the container would answer it. The caller needs
 * an access token with `picus/delete`, checked exactly as the container checks its own.
 * With a CORS policy, its responses carry the same `Access-Control-*` headers as the container's.
 */
export function createDeleteHandler(
  service: ItemService,
  logger: Logger,
  auth: Authorizer,
  cors?: CorsPolicy,
) {
  return async (event: ALBEvent): Promise<ALBResult> => {
    const startedAt = performance.now();
    const requestId = requestIdFrom((name) => albHeader(event, name));
    const path = event.path ?? '/';
    const { httpMethod: method } = event;
    const op = operationFor(method, path);
    let status: number;
    let headers: Record<string, string>;
    let body: string;
    let failure: unknown;
    let caller: Caller | undefined;
    let storeMs: number | undefined;
    try {
      status = 200;
      headers = { 'content-type': 'application/json' };
      if (method === 'GET' && path === '/health') {
        // Target-group health checks (when enabled) probe liveness like the container's.
        body = JSON.stringify({ status: 'ok' });
      } else {
        if (op !== DELETE_ITEM) throw routeProblem(method, path);
        caller = await auth.authorize(albHeader(event, 'authorization'), DELETE_ITEM.scope);
        const key = decodePathKey(path.slice(KEY_PREFIX.length));
        const clock = {
          record: (ms: number) => {
            storeMs = (storeMs ?? 0) + ms;
          },
        };
        await service.withRepository((repository) => new TimedRepository(repository, clock)).delete(key);
        const response: DeleteItemResponse = { object_id: key, deleted: true };
        body = JSON.stringify(response);
      }
    } catch (error) {
      caller ??= callerOfFailure(error);
      const problem = problemReply(error, requestId);
      failure = error;
      status = problem.status;
      headers = problem.headers;
      body = problem.body;
    }
    Object.assign(headers, responseHeaders(requestId, cors, albHeader(event, 'origin') ?? null));
    const operation = op?.metric;
    logRequest(logger, { requestId, method, path, status, startedAt, caller, failure, operation, storeMs });
    return albResult(event, status, headers, body);
  };
}
