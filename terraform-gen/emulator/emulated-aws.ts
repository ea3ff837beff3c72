/**
 * An emulated AWS account on loopback: moto with our patch layer (server.py), and the AWS CLI
 * pointed at it. Terraform's aws provider and the CLI both honour AWS_ENDPOINT_URL, so the
 * configuration under test needs no endpoint blocks.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../scripts/support/child-processes.ts';

export const EMULATOR_SERVER = join(import.meta.dir, 'server.py');
const MOTO_VERSION = readFileSync(EMULATOR_SERVER, 'utf8').match(/^MOTO_VERSION = "([^"]+)"/m)?.[1];

/** Why the emulator cannot run here (python3, the pinned moto, the AWS CLI), or undefined. */
export function emulatorUnavailable(): string | undefined {
  const python = Bun.which('python3');
  if (!python) return 'no python3 on PATH';
  const probe = Bun.spawnSync([python, '-c', 'import moto, flask; print(moto.__version__)'], {
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const version = probe.stdout.toString().trim();
  if (probe.exitCode !== 0)
    return `moto is not importable by python3 (pip install 'moto[server]==${MOTO_VERSION}')`;
  if (version !== MOTO_VERSION)
    return `moto ${version} found; the emulator's patches are for moto ${MOTO_VERSION}`;
  if (!Bun.which('aws')) return 'no AWS CLI (`aws`) on PATH';
  return undefined;
}

export interface EmulatedAws {
  readonly endpoint: string;
  /** Environment for any AWS client: the endpoint, dummy credentials, nothing from ~/.aws. */
  readonly env: Record<string, string>;
  /** `aws <args> --output json`, parsed; throws with the CLI's message on failure. */
  aws<T = unknown>(args: string[]): Promise<T>;
  /** The emulator's request log (one line per API call). */
  readonly logFile: string;
  /**
   * The operations the emulator has served so far, in order, as its log names them
   * ("AmazonEC2ContainerServiceV20141113.UpdateService", "PUT /2015-03-31/functions/…").
   */
  apiCalls(): Promise<string[]>;
  /** How long an ECS deployment takes to roll out from now on (moto's state manager). */
  ecsRollout(transition: RolloutTransition): Promise<void>;
  stop(): Promise<void>;
}

/** A transition of moto's state manager for the emulator's model "ecs::deployment". */
export type RolloutTransition =
  | { progression: 'immediate' }
  | { progression: 'time'; seconds: number }
  | { progression: 'manual'; times: number };

export interface EmulatorOptions {
  /** The part size ECR's InitiateLayerUpload asks for (default 10 MiB), to exercise multipart pushes. */
  readonly ecrPartSize?: number;
}

/** Starts the emulator; `dir` receives its log and the (empty) AWS CLI config files. */
export async function startEmulatedAws(
  dir: string,
  region = 'us-east-1',
  options: EmulatorOptions = {},
): Promise<EmulatedAws> {
  const logFile = join(dir, 'emulator.log');
  const log = createWriteStream(logFile);
  const child = Bun.spawn([Bun.which('python3') as string, EMULATOR_SERVER], {
    env: {
      ...process.env,
      ...(options.ecrPartSize ? { EMULATOR_ECR_PART_SIZE: String(options.ecrPartSize) } : {}),
    },
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  (async () => {
    for await (const chunk of child.stderr) log.write(chunk);
  })();
  const port = await readPort(child, logFile);
  const endpoint = `http://127.0.0.1:${port}`;
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: join(dir, 'aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
  };
  const cliEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env };
  return {
    endpoint,
    env,
    logFile,
    async aws<T>(args: string[]): Promise<T> {
      const r = await runCommand(['aws', ...args, '--output', 'json'], { env: cliEnv });
      if (r.code !== 0) throw new Error(`aws ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
      return (r.stdout.trim() === '' ? {} : JSON.parse(r.stdout)) as T;
    },
    async apiCalls() {
      // Requests are logged as they arrive, through a pipe: a marker request of our own shows
      // when every earlier line has reached the file.
      const marker = `/moto-api/picus-log-marker-${crypto.randomUUID()}`;
      await fetch(`${endpoint}${marker}`).catch(() => undefined);
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const lines = readFileSync(logFile, 'utf8').split('\n');
        const at = lines.indexOf(`API GET ${marker}`);
        if (at >= 0)
          return lines
            .slice(0, at)
            .filter((line) => line.startsWith('API ') && !line.includes('/moto-api/'))
            .map((line) => line.slice(4));
        await Bun.sleep(50);
      }
      throw new Error('the emulator did not log a marker request within 10 s');
    },
    async ecsRollout(transition) {
      const response = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
        method: 'POST',
        body: JSON.stringify({ model_name: 'ecs::deployment', transition }),
      });
      if (response.status !== 201)
        throw new Error(`set-transition: ${response.status} ${await response.text()}`);
    },
    async stop() {
      child.stdin.end();
      const exited = await Promise.race([child.exited, Bun.sleep(5_000).then(() => undefined)]);
      if (exited === undefined) child.kill('SIGKILL');
      log.end();
    },
  };
}

async function readPort(child: Bun.Subprocess<'pipe', 'pipe', 'pipe'>, logFile: string): Promise<number> {
  const reader = child.stdout.getReader();
  let seen = '';
  const deadline = Date.now() + 30_000;
  while (!/^PORT \d+$/m.test(seen)) {
    const next = await Promise.race([reader.read(), Bun.sleep(Math.max(0, deadline - Date.now()))]);
    if (next === undefined || next.done) {
      child.kill();
      const why = next === undefined ? 'did not start within 30 s' : `exited with ${await child.exited}`;
      throw new Error(`the AWS emulator ${why}:\n${seen}${readFileSync(logFile, 'utf8').slice(-4000)}`);
    }
    seen += new TextDecoder().decode(next.value);
  }
  reader.releaseLock();
  return Number(seen.match(/^PORT (\d+)$/m)?.[1]);
}
