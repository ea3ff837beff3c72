/**
 * Helpers of the benchmark: processes pinned to a CPU, wrk runs parsed, RSS read
 * from /proc. Everything talks to 127.0.0.1 only.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Subprocess } from 'bun';

/** The server under test runs on this CPU, the load generator on the other. */
export const SERVER_CPU = '0';
export const LOAD_CPU = '1';

export interface WrkResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly socketErrors: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 2xx, or throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await Bun.sleep(50);
  }
  throw new Error(`${url} did not come up: ${last}`);
}

export interface PinnedProcess {
  readonly pid: number;
  readonly proc: Subprocess;
  stop(): Promise<void>;
}

/**
 * Spawns `cmd` under `taskset -c cpu` (taskset execs, so the pid is the command's).
 * Output is discarded unless `inheritStderr`: the log lines cost what they cost
 * whether anyone reads them or not.
 */
export function spawnPinned(
  cpu: string,
  cmd: readonly string[],
  env: Record<string, string>,
  options: { stdout?: 'ignore' | 'inherit' | 'pipe' } = {},
): PinnedProcess {
  const proc = Bun.spawn(['taskset', '-c', cpu, ...cmd], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    stdout: options.stdout ?? 'ignore',
    stderr: 'inherit',
    stdin: 'ignore',
  });
  return {
    pid: proc.pid,
    proc,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

/** Pins an already running process (e.g. the embedded DynamoDB) to `cpu`. */
export function pin(pid: number, cpu: string): void {
  Bun.spawnSync(['taskset', '-pc', cpu, String(pid)], { stdout: 'ignore' });
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** Samples a process's RSS every `everyMs` until stopped; returns the highest seen. */
export function sampleRss(pid: number, everyMs = 100): () => number {
  let max = 0;
  const take = () => {
    try {
      max = Math.max(max, memoryOf(pid).rssMb);
    } catch {
      // Process gone: keep what we have.
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return () => {
    clearInterval(timer);
    take();
    return max;
  };
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function parseDurationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!match) return Number.NaN;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
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

/** One wrk run on the load CPU, one thread (it is pinned to one core anyway). */
export async function wrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    'taskset',
    '-c',
    LOAD_CPU,
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
  const proc = Bun.spawn(args, { stdout: 'pipe', stderr: 'pipe' });
  const [out, err] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const code = await proc.exited;
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

/** Medians over rounds of one measured configuration. */
export interface Summary {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rounds: number;
  readonly errors: number;
  readonly peakRssMb?: number;
  /** Median over rounds of this contender's rate / the first contender's rate in the same round. */
  readonly pairedRatio?: number;
}

export function summarize(
  results: readonly WrkResult[],
  peakRssMb?: number,
  reference?: readonly WrkResult[],
): Summary {
  return {
    ...(reference && reference.length === results.length
      ? { pairedRatio: median(results.map((r, i) => r.rps / (reference[i] as WrkResult).rps)) }
      : {}),
    rps: median(results.map((r) => r.rps)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    rounds: results.length,
    errors: results.reduce((sum, r) => sum + r.non2xx + r.socketErrors, 0),
    ...(peakRssMb === undefined ? {} : { peakRssMb }),
  };
}

export interface Contender {
  readonly name: string;
  readonly url: string;
  /** Process whose RSS is sampled while it is under load. */
  readonly pid?: number;
  readonly script?: string | undefined;
  readonly scriptArgs?: readonly string[];
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

export interface Timing {
  readonly warmupSeconds: number;
  readonly roundSeconds: number;
  readonly rounds: number;
  readonly connections: number;
}

/**
 * Warms every contender, then runs the rounds interleaved (A, B, A, B, ...), so a
 * noisy neighbour hurts them alike and the ratios stay meaningful.
 */
export async function compare(
  contenders: readonly Contender[],
  timing: Timing,
): Promise<Map<string, Summary>> {
  const runs = new Map<string, WrkResult[]>();
  const peaks = new Map<string, number>();
  for (const c of contenders) {
    await wrk({ ...c, connections: timing.connections, seconds: timing.warmupSeconds });
    runs.set(c.name, []);
  }
  for (let round = 0; round < timing.rounds; round++) {
    for (const c of contenders) {
      const stopSampling = c.pid === undefined ? undefined : sampleRss(c.pid);
      const result = await wrk({ ...c, connections: timing.connections, seconds: timing.roundSeconds });
      if (stopSampling) peaks.set(c.name, Math.max(peaks.get(c.name) ?? 0, stopSampling()));
      runs.get(c.name)?.push(result);
    }
  }
  const out = new Map<string, Summary>();
  const reference = runs.get(contenders[0]?.name ?? '');
  for (const c of contenders)
    out.set(c.name, summarize(runs.get(c.name) ?? [], peaks.get(c.name), reference));
  return out;
}

export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}
