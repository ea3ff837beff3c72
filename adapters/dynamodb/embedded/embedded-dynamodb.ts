import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SERVER_SCRIPT = fileURLToPath(new URL('./dynalite-server.cjs', import.meta.url));

export interface EmbeddedDynamoOptions {
  /** LevelDB directory; in-memory when unset. */
  readonly dataDir?: string | undefined;
  /** Fixed port (to come back on the same address after a stop); any free port when unset. */
  readonly port?: number | undefined;
  /** Node executable; dynalite's LevelDB binding is built for Node. */
  readonly node?: string | undefined;
}

export interface EmbeddedDynamo {
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the engine and waits for it to exit (data on disk is flushed). */
  stop(): Promise<void>;
  /** Kills it at once, as a crash would. */
  kill(): Promise<void>;
}

/** Starts the embedded DynamoDB as a child process on loopback. */
export async function startEmbeddedDynamo(options: EmbeddedDynamoOptions = {}): Promise<EmbeddedDynamo> {
  const args = [SERVER_SCRIPT];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('--path', options.dataDir);
  }
  if (options.port !== undefined) args.push('--port', String(options.port));
  const child = spawn(options.node ?? 'node', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await readPort(child);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const signal = (name: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid as number,
    stop: signal('SIGTERM'),
    kill: signal('SIGKILL'),
  };
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const fail = (why: string) => {
      lines.close();
      reject(new Error(`embedded DynamoDB did not start: ${why}`));
    };
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code) => fail(`exited with code ${code}`));
    lines.once('line', (line) => {
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch {
        fail(`unexpected output ${JSON.stringify(line)}`);
      }
    });
  });
}
