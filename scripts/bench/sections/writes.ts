/**
 * Writes: POST /picus/put (put.lua) to the in-memory store and the embedded DynamoDB, each with
 * and without an Idempotency-Key.
 */
import { join } from 'node:path';
import type { SectionRunner } from '../context.ts';
import { log } from '../log.ts';
import { rowOf } from '../report.ts';
import { type Contender, compare, type Summary, summarizeRounds } from '../rounds.ts';
import { BENCH_DIR } from '../settings.ts';

export const benchWrites: SectionRunner<'writes'> = async ({ settings: { timing }, auth, servers }) => {
  const engine = await servers.engine();
  const mem = await servers.picus({ PICUS_STORE: 'memory' }, 'picus (memory)');
  const ddb = await servers.picus(
    { PICUS_STORE: 'dynamodb', DYNAMODB_ENDPOINT: engine.endpoint },
    'picus (embedded DynamoDB)',
  );
  const script = join(BENCH_DIR, 'put.lua');
  const run = `${Date.now().toString(36)}`;
  // Each store plain and with an Idempotency-Key (put.lua's `idem` mode, keys prefixed per store).
  const contenders: Contender[] = (
    [
      ['memory', mem, 'm'],
      ['dynamodb', ddb, 'd'],
    ] as const
  ).flatMap(([name, server, prefix]) => {
    const put = { url: `${server.url}/picus/put`, pid: server.pid, script, headers: auth.headers };
    return [
      { name, ...put },
      { name: `${name}-idem`, ...put, scriptArgs: ['idem', `${prefix}${run}`] },
    ];
  });
  log('writes: POST /picus/put');
  // Each contender warms and runs on its own: Idempotency-Keys restart per wrk run, so give each run a
  // fresh prefix to keep every write a first-time write.
  const results = new Map<string, Summary[]>();
  for (let round = 0; round < timing.rounds; round++) {
    for (const c of contenders) {
      const args = c.scriptArgs ? ['idem', `${c.scriptArgs[1]}-${round}`] : undefined;
      const r = await compare([{ ...c, ...(args ? { scriptArgs: args } : {}) }], {
        ...timing,
        warmupSeconds: round === 0 ? timing.warmupSeconds : 1,
        rounds: 1,
      });
      results.set(c.name, [...(results.get(c.name) ?? []), r.get(c.name) as Summary]);
    }
  }
  const summary = (name: string) => summarizeRounds(results.get(name) ?? []);
  const m = summary('memory');
  const d = summary('dynamodb');
  return {
    rows: [
      rowOf('POST /picus/put memory', m, m),
      rowOf('POST /picus/put memory + Idempotency-Key', summary('memory-idem'), m),
      rowOf('POST /picus/put embedded DynamoDB', d, d),
      rowOf('POST /picus/put embedded DynamoDB + Idempotency-Key', summary('dynamodb-idem'), d),
    ],
    targets: [],
  };
};
