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
  const emit = (lineLevel: Exclude<LogLevel, 'silent'>, fields: object) => {
    if (RANK[lineLevel] < threshold) return;
    const members = JSON.stringify(fields);
    const head = `"time":"${clock(Date.now())}","level":"${lineLevel}"`;
    write(members === '{}' ? `{${head}}\n` : `{${head},${members.slice(1)}\n`);
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
      const now = Date.now();
      const head = `"time":"${clock(now)}","level":"${lineLevel}",${requestMembers(entry)}`;
      if (metrics === undefined || !writesMetrics) return write(`{${head}}\n`);
      // EMF: `_aws` first, then the same fields as any line, then the dimension and metric members.
      write(
        `{"_aws":{"Timestamp":${now},"CloudWatchMetrics":${metrics.directive}},${head},${metrics.members}}\n`,
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

/**
 * A request entry's members as JSON text, in the entry's order, written member by member: this
 * runs for every request, and serializing the entry object was most of the line's cost. Text
 * goes through JSON.stringify (a path may hold anything); numbers are finite or null.
 */
function requestMembers(entry: RequestLogEntry): string {
  let text =
    `"request_id":${JSON.stringify(entry.request_id)},"method":${JSON.stringify(entry.method)},` +
    `"path":${JSON.stringify(entry.path)},"status":${numberText(entry.status)},` +
    `"latency_ms":${numberText(entry.latency_ms)}`;
  if (entry.client_id !== undefined) text += `,"client_id":${JSON.stringify(entry.client_id)}`;
  if (entry.sub !== undefined) text += `,"sub":${JSON.stringify(entry.sub)}`;
  if (entry.error !== undefined) text += `,"error":${JSON.stringify(entry.error)}`;
  return text;
}

/** A number as JSON writes it: NaN and the infinities are null. */
function numberText(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
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
