/**
 * Processes pinned to one CPU with taskset, so the server under test and the load generator
 * never share a core.
 */
import type { Subprocess } from 'bun';

/** The server under test runs on this CPU, the load generator on the other. */
export const SERVER_CPU = '0';
export const LOAD_CPU = '1';

/** `cmd` run under `taskset -c cpu` (taskset execs, so the pid is the command's). */
export function onCpu(cpu: string, cmd: readonly string[]): string[] {
  return ['taskset', '-c', cpu, ...cmd];
}

export interface PinnedProcess {
  readonly pid: number;
  readonly proc: Subprocess;
  stop(): Promise<void>;
}

/**
 * Spawns `cmd` pinned to `cpu`. Output is discarded unless asked for: the log lines cost what
 * they cost whether anyone reads them or not.
 */
export function spawnPinned(
  cpu: string,
  cmd: readonly string[],
  env: Record<string, string>,
  options: { stdout?: 'ignore' | 'inherit' | 'pipe' | number } = {},
): PinnedProcess {
  const proc = Bun.spawn(onCpu(cpu, cmd), {
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
