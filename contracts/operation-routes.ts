import type { MetricOperation } from './metrics.ts';
import { templateMatcher } from './path-template.ts';
import { SCOPES, type Scope } from './scopes.ts';

/**
 * Which requests name each operation of the API, and what serving one takes (a scope, a metric
 * name): the part of the operations table the request path reads. It has no schemas, so what
 * only routes, authorizes and counts (the Lambda's cold start, every request's first steps)
 * loads no zod. contracts/operations.ts adds each operation's schemas and documentation.
 */
export interface OperationRoute {
  readonly operationId: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** OpenAPI path template. */
  readonly path: string;
  /** The OAuth 2.0 scope a caller's token must carry; absent for public operations. */
  readonly scope?: Scope;
  /** The `Operation` its requests' metrics carry (contracts/metrics.ts); absent: no metrics (probes). */
  readonly metric?: MetricOperation;
}

export const OPERATION_ROUTES = {
  health: { operationId: 'getHealth', method: 'GET', path: '/health' },
  ready: { operationId: 'getReady', method: 'GET', path: '/ready', metric: 'ready' },
  listItems: {
    operationId: 'listItems',
    method: 'GET',
    path: '/picus/list',
    scope: SCOPES.read,
    metric: 'list',
  },
  putItem: { operationId: 'putItem', method: 'POST', path: '/picus/put', scope: SCOPES.write, metric: 'put' },
  getItem: {
    operationId: 'getItem',
    method: 'GET',
    path: '/picus/get/{key}',
    scope: SCOPES.read,
    metric: 'get',
  },
  deleteItem: {
    operationId: 'deleteItem',
    method: 'DELETE',
    path: '/picus/{key}',
    scope: SCOPES.delete,
    metric: 'delete',
  },
} as const satisfies Record<string, OperationRoute>;

export const operationRouteList: readonly OperationRoute[] = Object.values(OPERATION_ROUTES);

/** The operations of each method with their path matchers: a request only tries its method's. */
const byMethod = new Map<string, Array<readonly [OperationRoute, (path: string) => boolean]>>();
for (const op of operationRouteList) {
  const candidates = byMethod.get(op.method) ?? [];
  candidates.push([op, templateMatcher(op.path)]);
  byMethod.set(op.method, candidates);
}

/** The operation a request names (by method and path), if any. */
export function operationFor(method: string, path: string): OperationRoute | undefined {
  const candidates = byMethod.get(method);
  if (candidates === undefined) return undefined;
  for (const [op, matches] of candidates) if (matches(path)) return op;
  return undefined;
}
