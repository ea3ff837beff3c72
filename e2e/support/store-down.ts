/**
 * A container of this checkout (`bun entrypoints/http/main.ts`) whose DynamoDB endpoint nothing
 * listens on: the one way the suite can see the store down, since it cannot take down a
 * deployment's store or the local stack's that the other tests share.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BUN, ROOT } from './bun.ts';

export interface StoreDownContainer {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startStoreDownContainer(): Promise<StoreDownContainer> {
  const child = spawn(BUN, [join(ROOT, 'entrypoints', 'http', 'main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      // Any free port: the process logs the one it bound.
      PORT_APP: '0',
      HOST: '127.0.0.1',
      PICUS_STORE: 'dynamodb',
      // The discard port: every DynamoDB call fails to connect, fast.
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      DYNAMODB_TIMEOUT_MS: '300',
      DYNAMODB_MAX_ATTEMPTS: '1',
      // /ready needs no token; this process serves nothing else here.
      AUTH_MODE: 'none',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const listening = (async () => {
    for await (const line of createInterface({ input: child.stdout })) {
      const url = /"message":"listening".*"url":"([^"]+)"/.exec(line)?.[1];
      if (url) return url;
    }
    throw new Error(`the container exited with ${await exited} before listening:\n${stderr}`);
  })();
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(
      () => reject(new Error(`the container did not listen within 20 s:\n${stderr}`)),
      20_000,
    ).unref(),
  );
  try {
    const url = await Promise.race([listening, timeout]);
    // Keep reading its log lines, so a full pipe never stalls it.
    child.stdout.resume();
    return { url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
