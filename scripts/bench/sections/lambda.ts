/**
 * The Lambda bundle: its size, its cold init above a bare `node -e 0`, and its warm cost per
 * DELETE event (lambda-warm.mjs).
 *
 * Cold init is measured both ways a function can get its AWS SDK, in the same interleaved rounds
 * (lambda-sandbox.ts): bundled, as it ships, and required from NODE_PATH, as with the runtime's
 * SDK. Each way is split into SDK load, client creation and our own code by timing three
 * bundles that each add one of them; every split is the median of its per-round differences.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LAMBDA_ZIP } from '../../build.ts';
import { runCommand } from '../../support/child-processes.ts';
import type { SectionRunner } from '../context.ts';
import { INIT_STEPS, type InitStep, layOutLambdaSandbox, type SdkWay } from '../lambda-sandbox.ts';
import { log } from '../log.ts';
import { onCpu, SERVER_CPU } from '../pinned-process.ts';
import type { MeasureRow } from '../report.ts';
import { target } from '../report.ts';
import { median } from '../rounds.ts';
import { BENCH_DIR, BUILD_DIR, BUNDLE, TABLE } from '../settings.ts';

/** Wall time of one run of `cmd` on the server CPU, in ms; synchronous, so nothing else runs meanwhile. */
function timeProcess(cmd: string[], cwd: string, env: Record<string, string>): number {
  const start = performance.now();
  const r = Bun.spawnSync(onCpu(SERVER_CPU, cmd), {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdout: 'ignore',
    stderr: 'pipe',
  });
  const ms = performance.now() - start;
  if (r.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr.toString()}`);
  return ms;
}

interface WarmRun {
  readonly usPerEvent: number;
  readonly statuses: Record<string, number>;
}

/** Cold init of one way: the total above bare Node, and each part above the step before it. */
interface InitSplit {
  /** The function's whole cold init above bare Node. */
  readonly total: number;
  readonly sdkLoad: number;
  readonly clientCreation: number;
  readonly ownCode: number;
}

/** The median over rounds of `a - b`, each round's runs paired. */
function pairedMedian(a: readonly number[], b: readonly number[]): number {
  return median(a.map((value, i) => value - (b[i] as number)));
}

function splitOf(bare: readonly number[], runs: Record<InitStep, number[]>): InitSplit {
  return {
    total: pairedMedian(runs.function, bare),
    sdkLoad: pairedMedian(runs.sdkLoad, bare),
    clientCreation: pairedMedian(runs.sdkClient, runs.sdkLoad),
    ownCode: pairedMedian(runs.function, runs.sdkClient),
  };
}

const WAY_LABEL: Record<SdkWay, string> = {
  bundled: 'SDK bundled',
  runtime: 'SDK from NODE_PATH',
};

function splitRows(way: SdkWay, split: InitSplit): MeasureRow[] {
  const label = WAY_LABEL[way];
  return [
    {
      name: `cold init above bare Node, ${label} (ms)`,
      value: split.total,
      note: way === 'bundled' ? 'what ships' : 'as with the runtime-provided SDK',
    },
    { name: `${label}: SDK load (ms)`, value: split.sdkLoad, note: 'import DynamoDBClient' },
    {
      name: `${label}: client creation (ms)`,
      value: split.clientCreation,
      note: 'createDynamoClient, as the init calls it',
    },
    {
      name: `${label}: our own code (ms)`,
      value: split.ownCode,
      note: 'config, logger, auth, store, handler',
    },
  ];
}

export const benchLambda: SectionRunner<'lambda'> = async ({ settings, auth }) => {
  const { coldRuns, warmEvents } = settings;
  const raw = statSync(BUNDLE).size;
  const gz = gzipSync(readFileSync(BUNDLE), { level: 9 }).length;
  const zipped = statSync(join(BUILD_DIR, LAMBDA_ZIP)).size;
  const lambdaEnv = { LOG_LEVEL: 'silent', AWS_REGION: 'us-east-1', TABLE_NAME: TABLE, ...auth.env };
  log('lambda: building the cold-init reference bundles');
  const sandbox = await layOutLambdaSandbox();
  const ways: readonly SdkWay[] = ['bundled', 'runtime'];
  const runs = Object.fromEntries(
    ways.map((way) => [way, Object.fromEntries(INIT_STEPS.map((step) => [step, [] as number[]]))]),
  ) as Record<SdkWay, Record<InitStep, number[]>>;
  const bare: number[] = [];
  const coldMem: number[] = [];
  const coldOpen: number[] = [];
  log(`lambda: cold init x${coldRuns}, both ways interleaved`);
  try {
    const run = (way: SdkWay, step: InitStep, env: Record<string, string> = {}) =>
      timeProcess(['node', sandbox.ways[way].bundles[step]], sandbox.cwd, {
        ...lambdaEnv,
        PICUS_STORE: 'dynamodb',
        NODE_PATH: sandbox.ways[way].nodePath,
        ...env,
      });
    for (let i = 0; i < coldRuns + 1; i++) {
      const round = { bare: timeProcess(['node', '-e', '0'], sandbox.cwd, {}) } as Record<string, number>;
      for (const step of INIT_STEPS) for (const way of ways) round[`${way}.${step}`] = run(way, step);
      const memory = run('bundled', 'function', { PICUS_STORE: 'memory' });
      const open = run('bundled', 'function', { AUTH_MODE: 'none' });
      if (i === 0) continue; // the first round warms the page cache
      bare.push(round.bare as number);
      for (const way of ways)
        for (const step of INIT_STEPS) runs[way][step].push(round[`${way}.${step}`] as number);
      coldMem.push(memory);
      coldOpen.push(open);
    }
  } finally {
    sandbox.remove();
  }
  const bareMs = median(bare);
  const split = { bundled: splitOf(bare, runs.bundled), runtime: splitOf(bare, runs.runtime) };
  const memMs = pairedMedian(coldMem, bare);
  const openMs = pairedMedian(coldOpen, bare);
  log(`lambda: warm x${warmEvents}`);
  // Not spawnSync: the handler fetches the signing keys from the issuer this process serves.
  const warm = async (logLevel: string, authEnv: Record<string, string> = {}): Promise<WarmRun> => {
    const r = await runCommand(
      onCpu(SERVER_CPU, ['node', join(BENCH_DIR, 'lambda-warm.mjs'), BUNDLE, String(warmEvents)]),
      {
        env: {
          PATH: process.env.PATH ?? '',
          ...lambdaEnv,
          PICUS_STORE: 'memory',
          LOG_LEVEL: logLevel,
          BENCH_AUTHORIZATION: auth.headers.Authorization as string,
          ...authEnv,
        },
      },
    );
    const line = r.stdout.split('\n').find((l) => l.includes('usPerEvent'));
    if (!line) throw new Error(`lambda-warm failed: ${r.stderr}`);
    const result = JSON.parse(line) as WarmRun;
    // Every event must get past the token check to the store (404: absent key), or this measures refusals.
    if (Object.keys(result.statuses).some((status) => status !== '404')) {
      throw new Error(`lambda-warm: unexpected statuses ${JSON.stringify(result.statuses)}`);
    }
    return result;
  };
  const warmSilent = [await warm('silent'), await warm('silent'), await warm('silent')];
  const warmOpen = [
    await warm('silent', { AUTH_MODE: 'none' }),
    await warm('silent', { AUTH_MODE: 'none' }),
    await warm('silent', { AUTH_MODE: 'none' }),
  ];
  const warmInfo = await warm('info');
  const warmUs = median(warmSilent.map((w) => w.usPerEvent));
  const warmOpenUs = median(warmOpen.map((w) => w.usPerEvent));
  return {
    rows: [
      {
        name: 'bundle dist/lambda/index.cjs, raw (KB)',
        value: raw / 1024,
        note: 'AWS SDK bundled, tree-shaken',
      },
      { name: 'bundle gzipped -9 (KB)', value: gz / 1024 },
      { name: 'zip dist/lambda/delete-item.zip (KB)', value: zipped / 1024 },
      { name: 'bare `node -e 0` (ms, median)', value: bareMs },
      ...splitRows('bundled', split.bundled),
      ...splitRows('runtime', split.runtime),
      { name: 'cold init above bare Node, SDK bundled, PICUS_STORE=memory (ms)', value: memMs },
      {
        name: 'cold init above bare Node, SDK bundled, AUTH_MODE=none (ms)',
        value: openMs,
        note: `token verification adds ${(split.bundled.total - openMs).toFixed(1)} ms of init`,
      },
      {
        name: 'warm DELETE, memory store, LOG_LEVEL=silent (µs/event)',
        value: warmUs,
        note: `statuses ${JSON.stringify(warmSilent[0]?.statuses)} (404 path: the store is per process)`,
      },
      {
        name: 'warm DELETE, memory store, LOG_LEVEL=silent, AUTH_MODE=none (µs/event)',
        value: warmOpenUs,
        note: `checking the (remembered) token adds ${(warmUs - warmOpenUs).toFixed(1)} µs per event`,
      },
      {
        name: 'warm DELETE, memory store, LOG_LEVEL=info (µs/event, stdout piped)',
        value: warmInfo.usPerEvent,
      },
    ],
    targets: [
      target('Lambda zip', '<= 1 MB', `${(zipped / 1024).toFixed(1)} KB`, zipped <= 1024 * 1024),
      target(
        'Lambda cold init above bare Node, SDK bundled',
        '<= 60 ms',
        `${split.bundled.total.toFixed(1)} ms`,
        split.bundled.total <= 60,
      ),
      target(
        'Lambda cold init, our own code (beyond SDK load and client creation)',
        '<= 10 ms',
        `${split.bundled.ownCode.toFixed(1)} ms`,
        split.bundled.ownCode <= 10,
      ),
      target(
        'Lambda warm DELETE per event',
        '<= 0.2 ms',
        `${(warmUs / 1000).toFixed(4)} ms`,
        warmUs / 1000 <= 0.2,
      ),
    ],
    extra: {
      lambda: { raw, gz, zipped, bare, runs, split, coldMem, coldOpen, warmSilent, warmOpen, warmInfo },
    },
  };
};
