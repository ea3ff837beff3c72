/**
 * The Lambda bundle: its size, its cold init above a bare `node -e 0` (and above the floor any
 * function using the runtime's SDK pays), and its warm cost per DELETE event (lambda-warm.mjs).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCommand } from '../../support/child-processes.ts';
import type { SectionRunner } from '../context.ts';
import { log } from '../log.ts';
import { onCpu, SERVER_CPU } from '../pinned-process.ts';
import { target } from '../report.ts';
import { median } from '../rounds.ts';
import { BENCH_DIR, BUNDLE, ROOT, TABLE } from '../settings.ts';

const SDK_FLOOR =
  "const { DynamoDBClient } = require('@aws-sdk/client-dynamodb'); new DynamoDBClient({ region: 'us-east-1' });";

/** Wall time of one run of `cmd` on the server CPU, in ms; synchronous, so nothing else runs meanwhile. */
function timeProcess(cmd: string[], env: Record<string, string>): number {
  const start = performance.now();
  const r = Bun.spawnSync(onCpu(SERVER_CPU, cmd), {
    cwd: ROOT,
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

export const benchLambda: SectionRunner<'lambda'> = async ({ settings, auth }) => {
  const { coldRuns, warmEvents } = settings;
  const raw = statSync(BUNDLE).size;
  const gz = gzipSync(readFileSync(BUNDLE), { level: 9 }).length;
  log(`lambda: cold init x${coldRuns}`);
  const bare: number[] = [];
  const coldDdb: number[] = [];
  const coldMem: number[] = [];
  const coldOpen: number[] = [];
  const sdkFloor: number[] = [];
  const lambdaEnv = { LOG_LEVEL: 'silent', AWS_REGION: 'us-east-1', TABLE_NAME: TABLE, ...auth.env };
  for (let i = 0; i < coldRuns + 1; i++) {
    const b = timeProcess(['node', '-e', '0'], {});
    const d = timeProcess(['node', BUNDLE], { ...lambdaEnv, PICUS_STORE: 'dynamodb' });
    const m = timeProcess(['node', BUNDLE], { ...lambdaEnv, PICUS_STORE: 'memory' });
    const o = timeProcess(['node', BUNDLE], { ...lambdaEnv, PICUS_STORE: 'dynamodb', AUTH_MODE: 'none' });
    // What any function using the runtime's SDK pays before its own code runs.
    const f = timeProcess(['node', '-e', SDK_FLOOR], lambdaEnv);
    if (i === 0) continue; // first run warms the page cache
    bare.push(b);
    coldDdb.push(d);
    coldMem.push(m);
    coldOpen.push(o);
    sdkFloor.push(f);
  }
  const bareMs = median(bare);
  const ddbMs = median(coldDdb) - bareMs;
  const memMs = median(coldMem) - bareMs;
  const openMs = median(coldOpen) - bareMs;
  const floorMs = median(sdkFloor) - bareMs;
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
        note: 'AWS SDK external (runtime-provided)',
      },
      { name: 'bundle gzipped -9 (KB)', value: gz / 1024 },
      { name: 'bare `node -e 0` (ms, median)', value: bareMs },
      {
        name: 'cold init above bare Node, PICUS_STORE=dynamodb (ms)',
        value: ddbMs,
        note: 'SDK from node_modules',
      },
      { name: 'cold init above bare Node, PICUS_STORE=memory (ms)', value: memMs },
      {
        name: 'cold init above bare Node, PICUS_STORE=dynamodb, AUTH_MODE=none (ms)',
        value: openMs,
        note: `token verification adds ${(ddbMs - openMs).toFixed(1)} ms of init`,
      },
      {
        name: 'reference: require the SDK + new DynamoDBClient, above bare Node (ms)',
        value: floorMs,
        note: 'the floor for any function using the runtime SDK',
      },
      { name: 'our own init: cold init (dynamodb) minus that floor (ms)', value: ddbMs - floorMs },
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
      target('Lambda bundle minified', '<= 250 KB', `${(raw / 1024).toFixed(1)} KB`, raw <= 250 * 1024),
      target('Lambda cold init above bare Node', '<= 60 ms', `${ddbMs.toFixed(1)} ms`, ddbMs <= 60),
      target(
        'Lambda warm DELETE per event',
        '<= 0.2 ms',
        `${(warmUs / 1000).toFixed(4)} ms`,
        warmUs / 1000 <= 0.2,
      ),
    ],
    extra: {
      lambda: { raw, gz, bare, coldDdb, coldMem, coldOpen, sdkFloor, warmSilent, warmOpen, warmInfo },
    },
  };
};
