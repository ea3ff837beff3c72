import type { ALBEvent, ALBResult } from 'aws-lambda';
import { allowedMethods } from '../../contracts/api-resources.ts';
import { SCOPES } from '../../contracts/auth.ts';
import type { DeleteItemResponse } from '../../contracts/item.ts';
import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';
import { InvalidKey } from '../../domain/errors.ts';
import type { ItemService } from '../../domain/item-service.ts';
import { callerFields, describeFailure, type Logger } from '../shared/access-log.ts';
import { callerOfFailure } from '../shared/auth/auth-failures.ts';
import type { Authorizer } from '../shared/auth/authorizer.ts';
import type { Caller } from '../shared/auth/caller.ts';
import { type CorsPolicy, corsHeaders } from '../shared/cors.ts';
import { HttpProblem } from '../shared/http-problem.ts';
import { problemFor } from '../shared/problem-mapping.ts';
import { requestIdFrom } from '../shared/request-id.ts';
import { albHeader, albResult } from './alb-event.ts';

const ITEM_PATH = /^\/picus\/([^/]*)$/;

const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

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
    const started = performance.now();
    const requestId = requestIdFrom((name) => albHeader(event, name));
    const path = event.path ?? '/';
    let status: number;
    let headers: Record<string, string>;
    let body: string;
    let failure: string | undefined;
    let caller: Caller | undefined;
    try {
      status = 200;
      headers = { 'content-type': 'application/json' };
      if (event.httpMethod === 'GET' && path === '/health') {
        // Target-group health checks (when enabled) probe liveness like the container's.
        body = JSON.stringify({ status: 'ok' });
      } else {
        const encodedKey = encodedKeyFrom(event.httpMethod, path);
        caller = await auth.authorize(albHeader(event, 'authorization'), SCOPES.delete);
        const key = decodeKey(encodedKey);
        await service.delete(key);
        const response: DeleteItemResponse = { object_id: key, deleted: true };
        body = JSON.stringify(response);
      }
    } catch (error) {
      caller ??= callerOfFailure(error);
      const problem = problemFor(error, requestId);
      if (problem.status >= 500) failure = describeFailure(error);
      status = problem.status;
      headers = { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE };
      body = JSON.stringify(problem.body);
    }
    Object.assign(headers, COMMON_HEADERS, corsHeaders(cors, albHeader(event, 'origin') ?? null), {
      'x-request-id': requestId,
    });
    logger.request({
      request_id: requestId,
      method: event.httpMethod,
      path,
      status,
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      ...callerFields(caller),
      error: failure,
    });
    return albResult(event, status, headers, body);
  };
}

/** The still percent-encoded key of a DELETE this handler serves; 404/405 for anything else. */
function encodedKeyFrom(method: string, path: string): string {
  const match = ITEM_PATH.exec(path);
  if (method !== 'DELETE' || !match) {
    const allow = allowedMethods(path);
    if (allow.length === 0) throw new HttpProblem('NotFound', `No resource at ${path}.`);
    if (allow.includes(method))
      throw new HttpProblem('NotFound', `${method} ${path} is not served by this backend.`);
    throw new HttpProblem('MethodNotAllowed', `${method} is not allowed here.`, allow);
  }
  return match[1] as string;
}

function decodeKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new InvalidKey('The key is not valid percent-encoded UTF-8.');
  }
}
