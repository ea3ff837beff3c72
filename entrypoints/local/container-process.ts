import { fileURLToPath } from 'node:url';
import { type Subprocess, spawn } from 'bun';
import { MAX_REQUEST_HEADER_FLAG } from '../http/server.ts';

const CONTAINER_MAIN = fileURLToPath(new URL('../http/main.ts', import.meta.url));

export interface ContainerProcess {
  readonly url: string;
  readonly process: Subprocess;
  /** SIGTERM, then wait for the drain to finish. */
  stop(): Promise<number>;
}

/**
 * Runs the container app as its own process, as ECS runs it, and waits until
 * `/health` answers. `command` defaults to running the source with this Bun;
 * tests pass the compiled binary instead.
 */
export async function startContainer(
  env: Record<string, string>,
  command: string[] = [process.execPath, MAX_REQUEST_HEADER_FLAG, CONTAINER_MAIN],
): Promise<ContainerProcess> {
  const port = env.PORT_APP ?? '8000';
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(command, { env: { ...process.env, ...env }, stdout: 'inherit', stderr: 'inherit' });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`container exited with code ${child.exitCode} while starting`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(500) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`container did not answer ${url}/health within 15 s`);
    }
    await Bun.sleep(50);
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
