/**
 * The public API's resources and the methods each accepts, across both backends.
 * Both the container and the Lambda answer a wrong method with 405 and this list
 * in `Allow`, so a client sees one API whichever backend the load balancer chose.
 */
export interface ApiResource {
  /** OpenAPI-style path template. */
  readonly path: string;
  readonly pattern: RegExp;
  readonly methods: readonly string[];
}

export const apiResources: readonly ApiResource[] = [
  { path: '/health', pattern: /^\/health$/, methods: ['GET'] },
  { path: '/ready', pattern: /^\/ready$/, methods: ['GET'] },
  { path: '/picus/list', pattern: /^\/picus\/list$/, methods: ['GET'] },
  { path: '/picus/put', pattern: /^\/picus\/put$/, methods: ['POST'] },
  { path: '/picus/get/{key}', pattern: /^\/picus\/get\/[^/]*$/, methods: ['GET'] },
  { path: '/picus/{key}', pattern: /^\/picus\/[^/]*$/, methods: ['DELETE'] },
];

/** Methods the API accepts on `path`, or an empty list when no resource lives there. */
export function allowedMethods(path: string): string[] {
  const methods = new Set<string>();
  for (const resource of apiResources) {
    if (resource.pattern.test(path)) for (const m of resource.methods) methods.add(m);
  }
  return [...methods];
}
