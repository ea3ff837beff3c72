import { CLIENT_CLOSED_REQUEST } from '../../contracts/problem-kinds.ts';
import type { Caller } from './auth/caller.ts';

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
  request(entry: RequestLogEntry): void;
  event(level: Exclude<LogLevel, 'silent'>, message: string, fields?: Record<string, unknown>): void;
}

/**
 * One JSON object per line on stdout: what CloudWatch Logs Insights and any log
 * shipper parse without configuration. 5xx requests log at error level, abandoned ones at warn.
 */
export function createLogger(level: LogLevel, write: (line: string) => void = writeStdout): Logger {
  const threshold = RANK[level];
  const emit = (lineLevel: Exclude<LogLevel, 'silent'>, fields: object) => {
    if (RANK[lineLevel] < threshold) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lineLevel, ...fields })}\n`);
  };
  // A client that closed its request (499) is worth a warning, never an error: nothing failed here.
  const requestLevel = (status: number) =>
    status >= 500 ? 'error' : status === CLIENT_CLOSED_REQUEST ? 'warn' : 'info';
  return {
    logsRequest: (status) => RANK[requestLevel(status)] >= threshold,
    request: (entry) => emit(requestLevel(entry.status), entry),
    event: (lineLevel, message, fields) => emit(lineLevel, { message, ...fields }),
  };
}

function writeStdout(line: string): void {
  process.stdout.write(line);
}

/** What the container's envelope and the Lambda know of a request when they log it. */
export interface AnsweredRequest {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** Who a token proved the caller to be, if one did (also for refusals that name the caller). */
  readonly caller?: Caller | undefined;
  /** What failed, for a 5xx: its cause reaches the log line, never the client. */
  readonly failure?: unknown;
}

/** The one access-log entry of an answered request, the same from both backends. */
export function requestLogEntry(request: AnsweredRequest): RequestLogEntry {
  return {
    request_id: request.requestId,
    method: request.method,
    path: request.path,
    status: request.status,
    latency_ms: Math.round((performance.now() - request.startedAt) * 100) / 100,
    ...callerFields(request.caller),
    error: request.status >= 500 ? describeFailure(request.failure) : undefined,
  };
}

/** The identity fields of a request's log line, from the caller a token proved (if any). */
function callerFields(caller: Caller | undefined): { client_id?: string; sub?: string } {
  if (caller === undefined || caller.subject === null) return {};
  return caller.clientId === undefined
    ? { sub: caller.subject }
    : { client_id: caller.clientId, sub: caller.subject };
}

/** What a log line may say about a failure: its name and our message, never a stack. */
export function describeFailure(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : '';
  // Domain errors name themselves by `kind`: class names do not survive minification.
  const name = (error as { kind?: string }).kind ?? error.name;
  return `${name}: ${error.message}${cause}`;
}
