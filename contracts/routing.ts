/**
 * The load balancer's routing table: one definition, read by the local load balancer
 * (entrypoints/local) and by the Terraform generator (ALB listener rules), so the two
 * can never disagree about which backend serves a request.
 *
 * Matching follows ALB listener-rule semantics: rules are evaluated by ascending
 * priority, a rule matches when every condition matches, path patterns are
 * case-sensitive with `*` (any run of characters) and `?` (exactly one character),
 * and a request no rule matches goes to the default target.
 */

export type RouteTarget = 'container' | 'lambda';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export interface RoutingRule {
  /** Stable identifier, used as the Terraform resource name. */
  readonly name: string;
  /** ALB rule priority (1..50000, lower wins). */
  readonly priority: number;
  readonly methods: readonly HttpMethod[];
  readonly pathPatterns: readonly string[];
  readonly target: RouteTarget;
}

export interface RoutingTable {
  readonly rules: readonly RoutingRule[];
  readonly defaultTarget: RouteTarget;
}

export const routingTable: RoutingTable = {
  rules: [
    {
      name: 'delete_item',
      priority: 10,
      methods: ['DELETE'],
      pathPatterns: ['/picus/*'],
      target: 'lambda',
    },
  ],
  defaultTarget: 'container',
};

const patternCache = new Map<string, RegExp>();

function patternToRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 's');
    patternCache.set(pattern, re);
  }
  return re;
}

export function pathMatches(pattern: string, path: string): boolean {
  return patternToRegExp(pattern).test(path);
}

const sortedRules = new WeakMap<RoutingTable, readonly RoutingRule[]>();

function rulesByPriority(table: RoutingTable): readonly RoutingRule[] {
  let rules = sortedRules.get(table);
  if (!rules) {
    rules = [...table.rules].sort((a, b) => a.priority - b.priority);
    sortedRules.set(table, rules);
  }
  return rules;
}

/** Which backend an ALB configured from `table` would send this request to. */
export function routeFor(method: string, path: string, table: RoutingTable = routingTable): RouteTarget {
  for (const rule of rulesByPriority(table)) {
    // ALB compares methods case-sensitively, so no normalisation here either.
    const methodOk = rule.methods.includes(method as HttpMethod);
    if (methodOk && rule.pathPatterns.some((p) => pathMatches(p, path))) return rule.target;
  }
  return table.defaultTarget;
}
