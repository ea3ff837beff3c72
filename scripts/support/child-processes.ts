/**
 * The child processes scripts and tests start and watch: run one to its end and collect what it
 * printed, wait until one serves, read its memory from /proc, list its children. One copy of
 * each for the benchmark, the soak, the artifact tests and the local stack's tests.
 * (A free port comes from entrypoints/local/free-port.ts, which the local stack itself uses.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Subprocess } from 'bun';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/**
 * Runs a command to completion and collects what it printed; never throws on a non-zero exit.
 * With `timeoutMs` the command is killed (SIGKILL) when it runs longer.
 */
export async function runCommand(
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const started = performance.now();
  const child = Bun.spawn([...argv], {
    cwd: options.cwd,
    env: options.env,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr, seconds: (performance.now() - started) / 1000 };
}

/**
 * Polls `url` until it answers 2xx; throws after `timeoutMs`, or as soon as `child` (the process
 * that should serve it) exits. `context` adds what the process printed to the error.
 */
export async function waitForHttp(
  url: string,
  options: { timeoutMs: number; child?: Subprocess; context?: () => string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const context = () => (options.context ? `:\n${options.context()}` : '');
  let last = 'no answer';
  for (;;) {
    const exitCode = options.child?.exitCode;
    if (exitCode !== undefined && exitCode !== null) {
      throw new Error(`the process serving ${url} exited with ${exitCode}${context()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(500) });
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error); // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer 2xx within ${options.timeoutMs} ms: ${last}${context()}`);
    await Bun.sleep(50);
  }
}

/** The memory fields of /proc/<pid>/status read here: resident, its peak, anonymous and file-backed. */
export type MemoryField = 'VmRSS' | 'VmHWM' | 'RssAnon' | 'RssFile';

/** A memory field of /proc/<pid>/status in MiB (Linux); NaN when the process or the field is unknown. */
export function statusMiB(pid: number | undefined, field: MemoryField): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples a process's resident set every `everyMs` until stopped; returns the highest seen, in MiB. */
export function sampleRss(pid: number, everyMs = 100): () => number {
  let max = 0;
  const take = () => {
    const rss = statusMiB(pid, 'VmRSS');
    if (!Number.isNaN(rss)) max = Math.max(max, rss); // a process gone keeps what was seen
  };
  take();
  const timer = setInterval(take, everyMs);
  return () => {
    clearInterval(timer);
    take();
    return max;
  };
}

/** Direct children of a process (Linux /proc), with their command lines; none when it is gone. */
export function childProcesses(pid: number): Array<{ pid: number; cmdline: string }> {
  let children: number[] = [];
  try {
    children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
  return children.map((child) => {
    try {
      return { pid: child, cmdline: readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' ') };
    } catch {
      return { pid: child, cmdline: '' };
    }
  });
}
