import { fileURLToPath } from 'node:url';
import { type Subprocess, spawn } from 'bun';
import { MAX_REQUEST_HEADER_FLAG } from '../http/server.ts';

const CONTAINER_MAIN = fileURLToPath(new URL('../http/main.ts', import.meta.url));
const START_BUDGET_MS = 15_000;

export interface ContainerProcess {
  readonly url: string;
  readonly process: Subprocess;
  /** SIGTERM, then wait for the drain to finish. */
  stop(): Promise<number>;
}

/** The container app exited before it was serving; its own log line says why. */
export class ContainerDidNotStart extends Error {
  constructor(readonly exitCode: number | null) {
    super(`container exited with code ${exitCode} while starting`);
    this.name = 'ContainerDidNotStart';
  }
}

/** What the container app sends over the IPC channel once it listens (entrypoints/http/main.ts). */
function listeningPort(message: unknown): number | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, port } = message as { type?: unknown; port?: unknown };
  return type === 'listening' && typeof port === 'number' ? port : undefined;
}

/**
 * Runs the container app as its own process, as ECS runs it. `PORT_APP` 0 lets it bind any
 * free port. Either way the port comes from the child itself, over an IPC channel only this
 * process holds, once it has bound it: a stack never mistakes another server that answers
 * /health on a port for its container (the child cannot bind a port another listener has,
 * and then exits saying so). `command` defaults to running the source with this Bun.
 */
export async function startContainer(
  env: Record<string, string>,
  command: string[] = [process.execPath, MAX_REQUEST_HEADER_FLAG, CONTAINER_MAIN],
  onLine?: (line: string) => void,
): Promise<ContainerProcess> {
  let announce: (port: number) => void = () => {};
  const announced = new Promise<number>((resolve) => {
    announce = resolve;
  });
  const child = spawn(command, {
    env: { ...process.env, ...env },
    // With a reader of its lines, the container's stdout passes through this process unchanged.
    stdout: onLine === undefined ? 'inherit' : 'pipe',
    stderr: 'inherit',
    ipc(message) {
      const port = listeningPort(message);
      if (port !== undefined) announce(port);
    },
  });
  if (onLine !== undefined && child.stdout instanceof ReadableStream) void passThrough(child.stdout, onLine);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    announced.then((port) => ({ port })),
    child.exited.then((code) => ({ exitCode: code })),
    new Promise<{ timedOut: true }>((resolve) => {
      timer = setTimeout(() => resolve({ timedOut: true }), START_BUDGET_MS);
    }),
  ]);
  clearTimeout(timer);
  if ('exitCode' in outcome) throw new ContainerDidNotStart(outcome.exitCode);
  if ('timedOut' in outcome) {
    child.kill('SIGKILL');
    throw new Error(`container did not report listening within ${START_BUDGET_MS / 1000} s`);
  }
  const url = `http://127.0.0.1:${outcome.port}`;
  // Bound and listening; /health confirms the app itself is serving.
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  if (!response.ok) {
    child.kill('SIGKILL');
    throw new Error(`container answered ${url}/health with ${response.status}`);
  }
  return {
    url,
    process: child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return child.exited;
    },
  };
}

/** Copies `stream` to this process's stdout as it comes, and hands each whole line to `onLine`. */
async function passThrough(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of stream) {
    process.stdout.write(chunk);
    pending += decoder.decode(chunk, { stream: true });
    let end = pending.indexOf('\n');
    while (end >= 0) {
      onLine(pending.slice(0, end));
      pending = pending.slice(end + 1);
      end = pending.indexOf('\n');
    }
  }
}
