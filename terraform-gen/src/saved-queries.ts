/**
 * Saved Logs Insights queries (CloudWatch → Logs Insights → Saved queries, in the folder named
 * after the stack) for the questions an operator asks first. They read the request log lines the
 * container and the Lambda write (one JSON object per request; see contracts/metrics.ts for the
 * EMF part). A saved query has no description field, so each starts with `#` comment lines
 * saying what it answers; the time range is the console's (one hour unless changed).
 */
import { DIMENSIONS, METRICS } from '../../contracts/metrics.ts';
import { type Expr, escapeTemplate, type Fragment, tpl } from './tf.ts';

export interface SavedQueryRefs {
  name: Expr;
  /** The container's log group (ECS awslogs). */
  appLogGroup: Expr;
  /** The DELETE Lambda's log group. */
  lambdaLogGroup: Expr;
  /** The ALB access-log bucket (for the request story's pointer; S3 is not searchable here). */
  accessLogBucket: Expr;
}

export type LogSource = 'container' | 'lambda';

export interface SavedQuery {
  /** The query's name within the stack's folder. */
  key: string;
  /** Which log groups it runs over. */
  sources: readonly LogSource[];
  /** `#` comment lines: what it answers and how to read it (Terraform templates: build with `tpl`). */
  about: (r: SavedQueryRefs) => string[];
  /** The query, one command per line. */
  commands: readonly string[];
}

const { operation: Operation, outcome: Outcome } = DIMENSIONS;
const StoreLatency = METRICS.storeLatency.name;
const IdempotencyConflict = METRICS.idempotencyConflict.name;

/** Stands for the request id in the request-story query; replace it before running. */
export const REQUEST_ID_PLACEHOLDER = 'PASTE-THE-REQUEST-ID';

export const SAVED_QUERIES: readonly SavedQuery[] = [
  {
    key: 'errors-by-operation',
    sources: ['container', 'lambda'],
    about: () => [
      'Server errors (5xx) by operation and cause, with the latest request of each to follow up',
      '(run "request-story" with it). Meant for the last hour. error is "Kind: message (cause: ...)";',
      'error_kind is the part before the first colon.',
    ],
    commands: [
      'filter status >= 500',
      'parse error /^(?<error_kind>[^:]+):/',
      `stats count(*) as errors, latest(error) as latest_cause, latest(request_id) as latest_request_id, max(@timestamp) as last_seen by ${Operation}, ${Outcome}, error_kind`,
      'sort errors desc',
    ],
  },
  {
    key: 'latency-by-operation',
    sources: ['container', 'lambda'],
    about: () => [
      "p50 and p99 latency per operation in our code (latency_ms), and of the item store's calls",
      `(${StoreLatency}, only requests that made one). Requests that are no operation (/health, unknown paths) are left out.`,
    ],
    commands: [
      `filter ispresent(${Operation})`,
      `stats count(*) as requests, pct(latency_ms, 50) as p50_ms, pct(latency_ms, 99) as p99_ms, pct(${StoreLatency}, 50) as store_p50_ms, pct(${StoreLatency}, 99) as store_p99_ms by ${Operation}`,
      'sort p99_ms desc',
    ],
  },
  {
    key: 'request-story',
    sources: ['container', 'lambda'],
    about: (r) => [
      `One request's whole story: replace ${REQUEST_ID_PLACEHOLDER} with its x-request-id (a 5xx problem's request_id).`,
      'Every line the container and the Lambda logged for it, oldest first (@log names the log group).',
      'The load balancer side (client IP, TLS, ALB and target times, WAF action) is in the ALB access logs,',
      tpl`which go to S3, not CloudWatch Logs: s3://${r.accessLogBucket}/alb/ (one file per 5 minutes and node).`,
      'Find the line by its trace_id field "Root=<request id>" when the ALB assigned the id, else by time and path.',
    ],
    commands: [
      `fields @timestamp, @log, level, method, path, status, latency_ms, ${Outcome}, client_id, error, @message`,
      `filter request_id = "${REQUEST_ID_PLACEHOLDER}"`,
      'sort @timestamp asc',
    ],
  },
  {
    key: 'top-callers',
    sources: ['container', 'lambda'],
    about: () => [
      'Top callers by request count: client_id is the OAuth client a valid token named; requests without',
      'one (401s, public paths) share the empty row. Requests that are no operation are left out.',
    ],
    commands: [
      `filter ispresent(${Operation})`,
      `stats count(*) as requests, count_distinct(${Operation}) as operations, max(@timestamp) as last_seen by client_id`,
      'sort requests desc',
      'limit 25',
    ],
  },
  {
    key: 'idempotency-conflicts',
    sources: ['container'],
    about: () => [
      'Puts refused with 409 because their Idempotency-Key was used before with another body, newest first.',
      'Keys belong to the caller, so client_id says whose key collided.',
    ],
    commands: [
      `filter ${IdempotencyConflict} > 0`,
      'fields @timestamp, request_id, client_id, status, latency_ms',
      'sort @timestamp desc',
      'limit 100',
    ],
  },
];

/** The query text as saved: the comment lines, then the commands joined by pipes. */
export function queryText(q: SavedQuery, r: SavedQueryRefs): string {
  const about = q.about(r).map((line) => `# ${line}`);
  const commands = q.commands.map((c, i) => escapeTemplate(i === 0 ? c : `| ${c}`));
  return [...about, ...commands].join('\n');
}

export function savedQueries(f: Fragment, r: SavedQueryRefs): void {
  const groups: Record<LogSource, Expr> = { container: r.appLogGroup, lambda: r.lambdaLogGroup };
  for (const q of SAVED_QUERIES) {
    f.resource('aws_cloudwatch_query_definition', q.key.replace(/-/g, '_'), {
      name: tpl`${r.name}/${q.key}`,
      log_group_names: q.sources.map((s) => groups[s]),
      query_string: queryText(q, r),
    });
  }
}
