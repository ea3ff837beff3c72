import { operationRouteList } from './operation-routes.ts';
import { templateMatcher } from './path-template.ts';

/**
 * The public API's resources and the methods each accepts, across both backends, derived from
 * the operations' routes. Both the container and the Lambda answer a wrong method with 405 and
 * this list in `Allow`, so a client sees one API whichever backend the load balancer chose.
 */
export interface ApiResource {
  /** OpenAPI-style path template. */
  readonly path: string;
  /** Whether a request path names this resource (the same matcher routing uses). */
  readonly matches: (path: string) => boolean;
  readonly methods: readonly string[];
}

export const apiResources: readonly ApiResource[] = resourcesOf(operationRouteList);

function resourcesOf(operations: typeof operationRouteList): ApiResource[] {
  const byPath = new Map<string, string[]>();
  for (const op of operations) {
    const methods = byPath.get(op.path);
    if (methods === undefined) byPath.set(op.path, [op.method]);
    else methods.push(op.method);
  }
  return [...byPath].map(([path, methods]) => ({ path, matches: templateMatcher(path), methods }));
}

/** Methods the API accepts on `path`, or an empty list when no resource lives there. */
export function allowedMethods(path: string): string[] {
  const methods = new Set<string>();
  for (const resource of apiResources) {
    if (resource.matches(path)) for (const m of resource.methods) methods.add(m);
  }
  return [...methods];
}
