/** One wrk run on the load CPU, its output parsed. Everything talks to 127.0.0.1 only. */
import { runCommand } from '../support/child-processes.ts';
import { LOAD_CPU, onCpu } from './pinned-process.ts';

export interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: number;
}

export interface WrkOptions {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  /** Path of a Lua script (POST bodies, headers). */
  readonly script?: string | undefined;
  readonly scriptArgs?: readonly string[];
  /** Sent with every request (e.g. Authorization). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function parseDurationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/** One thread: wrk is pinned to one core anyway. */
export async function wrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    'wrk',
    '-t1',
    `-c${options.connections}`,
    `-d${Math.max(1, Math.round(options.seconds))}s`,
    '--timeout',
    '5s',
    '--latency',
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (options.script) args.push('-s', options.script);
  args.push(options.url);
  if (options.scriptArgs?.length) args.push('--', ...options.scriptArgs);
  const { code, stdout: out, stderr: err } = await runCommand(onCpu(LOAD_CPU, args));
  if (code !== 0) throw new Error(`wrk failed (${code}): ${err || out}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const p50 = /^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '';
  const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '';
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = sock ? sock.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return { rps, p50Ms: parseDurationMs(p50), p99Ms: parseDurationMs(p99), requests, non2xx, socketErrors };
}
