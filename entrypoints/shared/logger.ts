import { CLIENT_CLOSED_REQUEST } from '../../contracts/problem-kinds.ts';
import type { EmfMetrics } from './request-metrics.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface RequestLogEntry {
  readonly request_id: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly latency_ms: number;
  /** The OAuth 2.0 client and subject a signed token named (never the token itself). */
  readonly client_id?: string | undefined;
  readonly sub?: string | undefined;
  readonly error?: string | undefined;
}

export interface Logger {
  /** Whether a request line with this status would be written (lets callers skip building it). */
  logsRequest(status: number): boolean;
  /** Whether request lines carry their EMF metrics (APP_METRICS): callers build them only then. */
  readonly writesMetrics: boolean;
  /** One request's line; with `metrics`, the line is also an EMF document CloudWatch extracts them from. */
  request(entry: RequestLogEntry, metrics?: EmfMetrics): void;
  event(level: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  /** Whether request lines carry their EMF metrics (APP_METRICS); default true. */
  readonly metrics?: boolean;
}

/**
 * One JSON object per line on stdout: what CloudWatch Logs Insights and any log
 * shipper parse without configuration. 5xx requests log at error level, abandoned ones at warn.
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = writeStdout,
  options: LoggerOptions = {},
): Logger {
  const threshold = RANK[level];
  const writesMetrics = options.metrics ?? true;
  const clock = lineClock();
  /** `{"time":"…","level":"…",` then the fields' own members: no copy of `fields` into a new object. */
  const line = (lineLevel: Exclude<LogLevel, 'silent'>, fields: object, now = Date.now()) => {
    const members = JSON.stringify(fields);
    const head = `"time":"${clock(now)}","level":"${lineLevel}"`;
    return members === '{}' ? `{${head}}` : `{${head},${members.slice(1)}`;
  };
  const emit = (lineLevel: Exclude<LogLevel, 'silent'>, fields: object) => {
    if (RANK[lineLevel] < threshold) return;
    write(`${line(lineLevel, fields)}\n`);
  };
  // A client that closed its request (499) is worth a warning, never an error: nothing failed here.
  const requestLevel = (status: number) =>
    status >= 500 ? 'error' : status === CLIENT_CLOSED_REQUEST ? 'warn' : 'info';
  return {
    logsRequest: (status) => RANK[requestLevel(status)] >= threshold,
    writesMetrics,
    request: (entry, metrics) => {
      const lineLevel = requestLevel(entry.status);
      if (RANK[lineLevel] < threshold) return;
      if (metrics === undefined || !writesMetrics) return emit(lineLevel, entry);
      // EMF: `_aws` first, then the same fields as any line, then the dimension and metric members.
      const now = Date.now();
      const fields = line(lineLevel, entry, now);
      write(
        `{"_aws":{"Timestamp":${now},"CloudWatchMetrics":${metrics.directive}},${fields.slice(1, -1)},${metrics.members}}\n`,
      );
    },
    event: (lineLevel, message, fields) => emit(lineLevel, { message, ...fields }),
  };
}

/** ISO 8601 time of a millisecond, computed once per millisecond (many lines share one under load). */
function lineClock(): (now: number) => string {
  let last = Number.NaN;
  let text = '';
  return (now) => {
    if (now !== last) {
      last = now;
      text = new Date(now).toISOString();
    }
    return text;
  };
}

function writeStdout(line: string): void {
  process.stdout.write(line);
}

/** What a log line may say about a failure: its name and our message, never a stack. */
export function describeFailure(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : '';
  // Domain errors name themselves by `kind`: class names do not survive minification.
  const name = (error as { kind?: string }).kind ?? error.name;
  return `${name}: ${error.message}${cause}`;
}
