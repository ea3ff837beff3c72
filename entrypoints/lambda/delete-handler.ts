import type { ALBEvent, ALBResult } from 'aws-lambda';
import { allowedMethods } from '../../contracts/api-resources.ts';
import type { DeleteItemResponse } from '../../contracts/item.ts';
import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';
import { InvalidKey } from '../../domain/errors.ts';
import type { ItemService } from '../../domain/item-service.ts';
import { describeFailure, type Logger } from '../shared/access-log.ts';
import { HttpProblem } from '../shared/http-problem.ts';
import { problemFor } from '../shared/problem-mapping.ts';
import { requestIdFrom } from '../shared/request-id.ts';
import { albHeader, albResult } from './alb-event.ts';

const ITEM_PATH = /^\/picus\/([^/]*)$/;

const COMMON_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

/**
 * `DELETE /picus/{key}` for an ALB Lambda target group. ALB events carry no path
 * parameters: the key is the rest of `path`, percent-decoded. Everything else the
 * rule might send here is answered as the container would answer it.
 */
export function createDeleteHandler(service: ItemService, logger: Logger) {
  return async (event: ALBEvent): Promise<ALBResult> => {
    const started = performance.now();
    const requestId = requestIdFrom((name) => albHeader(event, name));
    const path = event.path ?? '/';
    let status: number;
    let headers: Record<string, string>;
    let body: string;
    let failure: string | undefined;
    try {
      status = 200;
      headers = { 'content-type': 'application/json' };
      if (event.httpMethod === 'GET' && path === '/health') {
        // Target-group health checks (when enabled) probe liveness like the container's.
        body = JSON.stringify({ status: 'ok' });
      } else {
        const key = keyFrom(event.httpMethod, path);
        await service.delete(key);
        const response: DeleteItemResponse = { object_id: key, deleted: true };
        body = JSON.stringify(response);
      }
    } catch (error) {
      const problem = problemFor(error, requestId);
      if (problem.status >= 500) failure = describeFailure(error);
      status = problem.status;
      headers = { ...problem.headers, 'content-type': PROBLEM_CONTENT_TYPE };
      body = JSON.stringify(problem.body);
    }
    Object.assign(headers, COMMON_HEADERS, { 'x-request-id': requestId });
    logger.request({
      request_id: requestId,
      method: event.httpMethod,
      path,
      status,
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      error: failure,
    });
    return albResult(event, status, headers, body);
  };
}

function keyFrom(method: string, path: string): string {
  const match = ITEM_PATH.exec(path);
  if (method !== 'DELETE' || !match) {
    const allow = allowedMethods(path);
    if (allow.length === 0) throw new HttpProblem('NotFound', `No resource at ${path}.`);
    if (allow.includes(method))
      throw new HttpProblem('NotFound', `${method} ${path} is not served by this backend.`);
    throw new HttpProblem('MethodNotAllowed', `${method} is not allowed here.`, allow);
  }
  try {
    return decodeURIComponent(match[1] as string);
  } catch {
    throw new InvalidKey('The key is not valid percent-encoded UTF-8.');
  }
}
