import { join } from 'node:path';
import { type Subprocess, spawn } from 'bun';
import { TokenResponse } from '../../../contracts/auth.ts';
import { type CommandResult, childProcesses, runCommand } from '../../../scripts/support/child-processes.ts';
import { freePort } from '../free-port.ts';
import { waitForStackReady } from '../stack-banner.ts';

/** `bun run dev`'s entry. */
export const STACK_MAIN = join(import.meta.dir, '..', 'main.ts');

export interface RunningStack {
  readonly base: string;
  readonly process: Subprocess<'ignore', 'pipe', 'pipe'>;
  /** Everything it printed on stdout so far. */
  output(): string;
  /** Everything it printed on stderr so far. */
  errors(): string;
}

/** The environment a test stack runs with: free PORT, its own DATA_DIR, quiet logs, then `env`. */
async function stackEnv(dataDir: string, env: Record<string, string>): Promise<Record<string, string>> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      // A test says which of these it wants; the runner's own must not leak in.
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !['PORT', 'PORT_APP'].includes(entry[0]),
    ),
  );
  return { ...inherited, PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env };
}

function collect(stream: ReadableStream<Uint8Array>, into: (text: string) => void): void {
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) into(decoder.decode(chunk));
  })();
}

/** Starts the local stack as a user would and waits for its banner. */
export async function startStack(dataDir: string, env: Record<string, string> = {}): Promise<RunningStack> {
  const fullEnv = await stackEnv(dataDir, env);
  const child = spawn([process.execPath, STACK_MAIN], {
    env: fullEnv,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  let errors = '';
  collect(child.stderr, (text) => {
    errors += text;
  });
  let text = '';
  try {
    text = await waitForStackReady(child.stdout, 30_000, (chunk) => {
      text += chunk;
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\nstderr:\n${errors}`);
  }
  return {
    base: `http://127.0.0.1:${fullEnv.PORT}`,
    process: child,
    output: () => text,
    errors: () => errors,
  };
}

/** Ctrl-C: SIGINT, then its exit code. */
export async function stopStack(stack: RunningStack): Promise<number> {
  stack.process.kill('SIGINT');
  return stack.process.exited;
}

/** Runs the stack until it exits on its own (a failure to start); kills it after `timeoutMs`. */
export async function runStackToExit(
  dataDir: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<CommandResult> {
  return runCommand([process.execPath, STACK_MAIN], { env: await stackEnv(dataDir, env), timeoutMs });
}

/** A token from the stack's own issuer (client credentials, every scope). */
export async function tokenFrom(base: string): Promise<string> {
  const response = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa('picus-local:picus-local-secret')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  if (response.status !== 200) throw new Error(`token: ${response.status} ${await response.text()}`);
  return TokenResponse.parse(await response.json()).access_token;
}

/** The local stack's tests list a stack's children from here too. */
export { childProcesses };

/** The embedded DynamoDB's process under a stack, if it has one right now. */
export function enginePid(stackPid: number): number | undefined {
  return childProcesses(stackPid).find((child) => child.cmdline.includes('dynalite-server'))?.pid;
}
