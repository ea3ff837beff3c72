/**
 * The DynamoDB path: GET through the binary against the embedded DynamoDB, next to GetItem
 * straight at the engine from the same SDK client (dynamo-ceiling.ts, on the server CPU: it
 * plays the service's part). The engine shares the load CPU with wrk, so both see it alike.
 */
import { join } from 'node:path';
import { runCommand } from '../../support/child-processes.ts';
import type { SectionRunner } from '../context.ts';
import { log } from '../log.ts';
import { onCpu, SERVER_CPU } from '../pinned-process.ts';
import { ratioOf, ratioTarget, rowOf } from '../report.ts';
import { compare, median, type Summary, summarizeRounds, type Timing } from '../rounds.ts';
import { seedItem } from '../seed-item.ts';
import { BENCH_DIR, TABLE } from '../settings.ts';

/** One run of the direct-GetItem driver. */
async function directGetItem(
  endpoint: string,
  key: string,
  timing: Timing,
  seconds: number,
  warmup: number,
): Promise<Summary> {
  const run = await runCommand(onCpu(SERVER_CPU, ['bun', join(BENCH_DIR, 'dynamo-ceiling.ts')]), {
    env: {
      ...process.env,
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: TABLE,
      KEY: key,
      CONCURRENCY: String(timing.connections),
      SECONDS: String(seconds),
      WARMUP_S: String(warmup),
    },
  });
  if (run.code !== 0) throw new Error(`direct GetItem driver failed: ${run.stderr}`);
  const r = JSON.parse(run.stdout.trim()) as { rps: number; p50Ms: number; p99Ms: number };
  return { rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, rounds: 1, errors: 0 };
}

export const benchDynamo: SectionRunner<'dynamo'> = async ({ settings: { timing }, auth, servers }) => {
  const engine = await servers.engine();
  const picus = await servers.picus(
    { PICUS_STORE: 'dynamodb', DYNAMODB_ENDPOINT: engine.endpoint },
    'picus (embedded DynamoDB)',
  );
  const item = await seedItem(picus.url, auth.headers);
  const direct: Summary[] = [];
  const getRuns: Summary[] = [];
  const healthRuns: Summary[] = [];
  log('dynamo: warm-up');
  await compare([{ name: 'w', url: `${picus.url}/picus/get/${item.id}`, headers: auth.headers }], {
    ...timing,
    rounds: 0,
  });
  await directGetItem(engine.endpoint, item.id, timing, timing.warmupSeconds, 0);
  for (let round = 0; round < timing.rounds; round++) {
    log(`dynamo: round ${round + 1}/${timing.rounds}`);
    direct.push(await directGetItem(engine.endpoint, item.id, timing, timing.roundSeconds, 1));
    const one = { ...timing, warmupSeconds: 1, rounds: 1 };
    const r = await compare(
      [
        { name: 'get', url: `${picus.url}/picus/get/${item.id}`, pid: picus.pid, headers: auth.headers },
        { name: 'health', url: `${picus.url}/health`, pid: picus.pid },
      ],
      one,
    );
    getRuns.push(r.get('get') as Summary);
    healthRuns.push(r.get('health') as Summary);
  }
  const ceiling = summarizeRounds(direct);
  const get = {
    ...summarizeRounds(getRuns),
    pairedRatio: median(getRuns.map((g, i) => g.rps / (direct[i] as Summary).rps)),
  };
  return {
    rows: [
      rowOf('GetItem straight at the engine, same SDK client (ceiling)', ceiling, ceiling),
      rowOf('GET /picus/get/{id} picus binary, embedded DynamoDB', get, ceiling),
      rowOf('GET /health picus binary, embedded DynamoDB (no store call)', summarizeRounds(healthRuns)),
    ],
    targets: [ratioTarget('DynamoDB path vs direct GetItem', ratioOf(get, ceiling), 0.9)],
  };
};
