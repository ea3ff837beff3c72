/**
 * `bun scripts/bench/main.ts`: what the service costs and how it scales, each figure
 * next to a ceiling measured in the same run (the machine is shared and noisy).
 * Servers run on CPU 0 (`taskset -c 0`), wrk on CPU 1; rounds are interleaved
 * between the contenders and reported as medians. Writes dist/bench/report.json and
 * prints Markdown tables and the targets as met / not met.
 *
 * Options:
 *   --only=web,dynamo,writes,lb,lambda,list   run a subset (default: all)
 *   --quick                                   short rounds and a smaller list table
 *   --connections=32
 *   --no-build                                reuse dist/bench/build
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { type AttributeValue, BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../adapters/dynamodb/dynamodb-client.ts';
import { ensureTable } from '../../adapters/dynamodb/table.ts';
import { TokenResponse } from '../../contracts/auth.ts';
import { type LocalIssuerServer, serveLocalIssuer } from '../../entrypoints/local/local-issuer-server.ts';
import { DEFAULT_LOCAL_CLIENT } from '../../entrypoints/local/oauth-issuer.ts';
import { runCommand } from '../support/child-processes.ts';
import {
  type Contender,
  compare,
  freePort,
  LOAD_CPU,
  log,
  median,
  memoryOf,
  type PinnedProcess,
  SERVER_CPU,
  type Summary,
  sampleRss,
  spawnPinned,
  type Timing,
  waitForHttp,
} from './lib.ts';

const ROOT = resolve(import.meta.dir, '../..');
const HERE = import.meta.dir;
const OUT_DIR = join(ROOT, 'dist/bench');
const BUILD_DIR = join(OUT_DIR, 'build');
const BINARY = join(BUILD_DIR, 'picus-server');
const BUNDLE = join(BUILD_DIR, 'lambda/index.cjs');
const TABLE = 'picus_bench';
const SDK_FLOOR =
  "const { DynamoDBClient } = require('@aws-sdk/client-dynamodb'); new DynamoDBClient({ region: 'us-east-1' });";
const SECTIONS = ['web', 'dynamo', 'writes', 'lb', 'lambda', 'list'] as const;
type Section = (typeof SECTIONS)[number];

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    connections: { type: 'string', default: '32' },
    'no-build': { type: 'boolean', default: false },
  },
});
const only = new Set<Section>(
  flags.only ? (flags.only.split(',').map((s) => s.trim()) as Section[]) : [...SECTIONS],
);
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}; one of ${SECTIONS}`);
const quick = flags.quick;
const timing: Timing = quick
  ? { warmupSeconds: 1, roundSeconds: 2, rounds: 3, connections: Number(flags.connections) }
  : { warmupSeconds: 3, roundSeconds: 5, rounds: 5, connections: Number(flags.connections) };
const LIST_SIZES = quick ? ([5_000, 50_000] as const) : ([10_000, 100_000] as const);
const COLD_RUNS = quick ? 8 : 20;
const WARM_EVENTS = quick ? 20_000 : 100_000;

// ---------------------------------------------------------------- report model

interface Row {
  readonly name: string;
  readonly rps?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly rssMb?: number;
  /** Fraction of the section's ceiling (or reference). */
  readonly ratio?: number;
  readonly errors?: number;
  readonly note?: string;
}
interface Target {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}
const report: {
  machine: Record<string, unknown>;
  settings: Record<string, unknown>;
  sections: Record<string, Row[]>;
  extra: Record<string, unknown>;
  targets: Target[];
} = {
  machine: machine(),
  settings: { quick, timing, sections: [...only] },
  sections: {},
  extra: {},
  targets: [],
};

function machine(): Record<string, unknown> {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memGb: Math.round(totalmem() / 2 ** 30),
    bun: Bun.version,
    node: Bun.spawnSync(['node', '--version']).stdout.toString().trim(),
    wrk: Bun.spawnSync(['wrk', '-v']).stdout.toString().split('\n')[0]?.trim(),
  };
}

const rowOf = (name: string, s: Summary | undefined, ceiling?: Summary, note?: string): Row => ({
  name,
  ...(s ? { rps: s.rps, p50Ms: s.p50Ms, p99Ms: s.p99Ms, errors: s.errors } : {}),
  ...(s?.peakRssMb === undefined ? {} : { rssMb: s.peakRssMb }),
  ...(s && ceiling ? { ratio: s.pairedRatio ?? s.rps / ceiling.rps } : {}),
  ...(note ? { note } : {}),
});

/** Paired per-round ratio when the rounds were interleaved, else the ratio of medians. */
const ratioOf = (s: Summary, ceiling: Summary) => s.pairedRatio ?? s.rps / ceiling.rps;

function target(name: string, goal: string, measured: string, met: boolean): void {
  report.targets.push({ name, goal, measured, met });
}

const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | undefined, digits = 0) =>
  x === undefined || Number.isNaN(x) ? '' : x.toLocaleString('en-US', { maximumFractionDigits: digits });

// ---------------------------------------------------------------- authentication

/**
 * Every picus process checks tokens, as in production, from a local issuer that lives for the
 * whole run: `AUTH` is its settings for a process, `AUTHORIZED` the header wrk sends.
 */
let issuer: LocalIssuerServer | undefined;
let AUTH: Record<string, string> = {};
let AUTHORIZED: Record<string, string> = {};

async function tokenFrom(tokenUrl: string): Promise<string> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEFAULT_LOCAL_CLIENT.id,
      client_secret: DEFAULT_LOCAL_CLIENT.secret,
    }),
  });
  return TokenResponse.parse(await response.json()).access_token;
}

async function startIssuer(): Promise<void> {
  issuer = await serveLocalIssuer();
  AUTH = { AUTH_MODE: 'jwt', AUTH_ISSUER: issuer.issuer.issuer };
  AUTHORIZED = { Authorization: `Bearer ${await tokenFrom(issuer.issuer.tokenUrl)}` };
}

// ---------------------------------------------------------------- processes

const cleanups: Array<() => Promise<void>> = [];
async function cleanup(): Promise<void> {
  while (cleanups.length)
    await cleanups
      .pop()?.()
      .catch(() => {});
}

async function startPicus(
  env: Record<string, string>,
  label: string,
): Promise<PinnedProcess & { url: string }> {
  const port = await freePort();
  const proc = spawnPinned(SERVER_CPU, [BINARY], {
    PORT_APP: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    TABLE_NAME: TABLE,
    AWS_REGION: 'us-east-1',
    ...AUTH,
    ...env,
  });
  cleanups.push(proc.stop);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`);
  log(`${label} up on ${url} (pid ${proc.pid})`);
  return { ...proc, url };
}

async function startCeiling(itemJson: string, withHeaders = false): Promise<PinnedProcess & { url: string }> {
  const port = await freePort();
  const proc = spawnPinned(SERVER_CPU, ['bun', join(HERE, 'ceiling-server.ts')], {
    PORT: String(port),
    ITEM_JSON: itemJson,
    ...(withHeaders ? { WITH_HEADERS: '1' } : {}),
  });
  cleanups.push(proc.stop);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`);
  return { ...proc, url };
}

/** The embedded DynamoDB (dynalite, in memory), pinned to the load CPU: see the dynamo section. */
async function startEngine(): Promise<PinnedProcess & { endpoint: string }> {
  const script = join(ROOT, 'adapters/dynamodb/embedded/dynalite-server.cjs');
  const proc = spawnPinned(LOAD_CPU, ['node', script], {}, { stdout: 'pipe' });
  cleanups.push(proc.stop);
  const reader = (proc.proc.stdout as ReadableStream<Uint8Array>).getReader();
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) throw new Error('embedded DynamoDB exited before printing its port');
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const { port } = JSON.parse(text.split('\n')[0] as string) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  const admin = adminClient(endpoint);
  await ensureTable(admin, TABLE);
  admin.destroy();
  log(`embedded DynamoDB up on ${endpoint} (pid ${proc.pid}, CPU ${LOAD_CPU})`);
  return { ...proc, endpoint };
}

function adminClient(endpoint: string): DynamoDBClient {
  return createDynamoClient({
    region: 'us-east-1',
    endpoint,
    connectTimeoutMs: 5000,
    requestTimeoutMs: 30_000,
    maxAttempts: 5,
  });
}

const ITEM_BODY = { name: 'bench', n: 42, tags: ['a', 'b'], nested: { ok: true } };

/** Creates one item through the API; returns its id and the exact JSON GET answers. */
async function seedItem(
  url: string,
  authorized: Record<string, string> = AUTHORIZED,
): Promise<{ id: string; json: string }> {
  const put = await fetch(`${url}/picus/put`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authorized },
    body: JSON.stringify(ITEM_BODY),
  });
  if (put.status !== 201) throw new Error(`seed failed: ${put.status} ${await put.text()}`);
  const { object_id: id } = (await put.json()) as { object_id: string };
  const get = await fetch(`${url}/picus/get/${id}`, { headers: authorized });
  if (!get.ok) throw new Error(`seeded item not readable: ${get.status}`);
  return { id, json: await get.text() };
}

// ---------------------------------------------------------------- sections

async function benchWeb(): Promise<void> {
  const silent = await startPicus({ PICUS_STORE: 'memory' }, 'picus (memory, LOG_LEVEL=silent)');
  const info = await startPicus(
    { PICUS_STORE: 'memory', LOG_LEVEL: 'info' },
    'picus (memory, LOG_LEVEL=info)',
  );
  // The same process without token verification: what checking the token costs, in the same rounds.
  const open = await startPicus(
    { PICUS_STORE: 'memory', AUTH_MODE: 'none' },
    'picus (memory, AUTH_MODE=none)',
  );
  const item = await seedItem(silent.url);
  // Its own process, its own store: the same body, another id.
  const infoItem = await seedItem(info.url);
  const openItem = await seedItem(open.url, {});
  const ceiling = await startCeiling(item.json);
  // The same bare server, also sending the headers every picus response must carry.
  const headed = await startCeiling(item.json, true);
  const rows: Row[] = [];
  for (const [endpoint, path, infoPath, openPath] of [
    ['GET /health', '/health', '/health', '/health'],
    [
      'GET /picus/get/{id}',
      `/picus/get/${item.id}`,
      `/picus/get/${infoItem.id}`,
      `/picus/get/${openItem.id}`,
    ],
  ] as const) {
    log(`web: ${endpoint}`);
    const item = path !== '/health';
    const results = await compare(
      [
        { name: 'ceiling', url: `${ceiling.url}${path}`, pid: ceiling.pid },
        { name: 'headed', url: `${headed.url}${path}`, pid: headed.pid },
        { name: 'picus', url: `${silent.url}${path}`, pid: silent.pid, headers: AUTHORIZED },
        { name: 'picus-info', url: `${info.url}${infoPath}`, pid: info.pid, headers: AUTHORIZED },
        // The same request (token included: its bytes cost the parser alike), not checked.
        ...(item
          ? [{ name: 'picus-open', url: `${open.url}${openPath}`, pid: open.pid, headers: AUTHORIZED }]
          : []),
      ],
      timing,
    );
    const c = results.get('ceiling');
    const p = results.get('picus');
    rows.push(rowOf(`${endpoint} bare Bun.serve (ceiling)`, c, c));
    rows.push(
      rowOf(
        `${endpoint} reference: bare Bun.serve + x-request-id, nosniff, no-store`,
        results.get('headed'),
        c,
      ),
    );
    rows.push(rowOf(`${endpoint} picus binary, memory, LOG_LEVEL=silent`, p, c));
    const o = results.get('picus-open');
    if (o) rows.push(rowOf(`${endpoint} picus binary, memory, LOG_LEVEL=silent, AUTH_MODE=none`, o, c));
    rows.push(
      rowOf(
        `${endpoint} picus binary, memory, LOG_LEVEL=info (stdout to /dev/null)`,
        results.get('picus-info'),
        c,
      ),
    );
    if (o && p && c) {
      // One CPU saturated by both: the rate ratio is the CPU ratio per request.
      const cost = 1 - ratioOf(p, c) / ratioOf(o, c);
      target('Token verification, warm process: share of the request CPU', '< 10%', pct(cost), cost < 0.1);
    }
    if (path !== '/health' && c && p) {
      target(
        'Web GET /picus/get/{id} vs bare Bun.serve',
        '>= 85%',
        pct(ratioOf(p, c)),
        ratioOf(p, c) >= 0.85,
      );
      target(
        'Web GET /picus/get/{id} p99 at 32 connections',
        '<= 3 ms',
        `${p.p99Ms.toFixed(2)} ms`,
        p.p99Ms <= 3,
      );
      const rss = p.peakRssMb ?? Number.NaN;
      target('Web RSS under load', '<= 80 MB', `${rss.toFixed(1)} MB`, rss <= 80);
    }
  }
  report.sections.web = rows;
  await cleanup();
}

/** One run of the direct-GetItem driver (on the server CPU: it plays the service's part). */
async function directGetItem(
  endpoint: string,
  key: string,
  seconds: number,
  warmup: number,
): Promise<Summary> {
  const proc = Bun.spawn(['taskset', '-c', SERVER_CPU, 'bun', join(HERE, 'dynamo-ceiling.ts')], {
    env: {
      ...process.env,
      DYNAMODB_ENDPOINT: endpoint,
      TABLE_NAME: TABLE,
      KEY: key,
      CONCURRENCY: String(timing.connections),
      SECONDS: String(seconds),
      WARMUP_S: String(warmup),
    },
    stdout: 'pipe',
    stderr: 'inherit',
  });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error('direct GetItem driver failed');
  const r = JSON.parse(out.trim()) as { rps: number; p50Ms: number; p99Ms: number };
  return { rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms, rounds: 1, errors: 0 };
}

async function benchDynamo(): Promise<void> {
  const engine = await startEngine();
  const picus = await startPicus(
    { PICUS_STORE: 'dynamodb', DYNAMODB_ENDPOINT: engine.endpoint },
    'picus (embedded DynamoDB)',
  );
  const item = await seedItem(picus.url);
  const direct: Summary[] = [];
  const getRuns: Summary[] = [];
  const healthRuns: Summary[] = [];
  log('dynamo: warm-up');
  await compare([{ name: 'w', url: `${picus.url}/picus/get/${item.id}`, headers: AUTHORIZED }], {
    ...timing,
    rounds: 0,
  });
  await directGetItem(engine.endpoint, item.id, timing.warmupSeconds, 0);
  for (let round = 0; round < timing.rounds; round++) {
    log(`dynamo: round ${round + 1}/${timing.rounds}`);
    direct.push(await directGetItem(engine.endpoint, item.id, timing.roundSeconds, 1));
    const one = { ...timing, warmupSeconds: 1, rounds: 1 };
    const r = await compare(
      [
        { name: 'get', url: `${picus.url}/picus/get/${item.id}`, pid: picus.pid, headers: AUTHORIZED },
        { name: 'health', url: `${picus.url}/health`, pid: picus.pid },
      ],
      one,
    );
    getRuns.push(r.get('get') as Summary);
    healthRuns.push(r.get('health') as Summary);
  }
  const med = (runs: Summary[]): Summary => ({
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    rounds: runs.length,
    errors: runs.reduce((s, r) => s + r.errors, 0),
    ...(runs.some((r) => r.peakRssMb) ? { peakRssMb: Math.max(...runs.map((r) => r.peakRssMb ?? 0)) } : {}),
  });
  const ceiling = med(direct);
  const get = {
    ...med(getRuns),
    pairedRatio: median(getRuns.map((g, i) => g.rps / (direct[i] as Summary).rps)),
  };
  report.sections.dynamo = [
    rowOf('GetItem straight at the engine, same SDK client (ceiling)', ceiling, ceiling),
    rowOf('GET /picus/get/{id} picus binary, embedded DynamoDB', get, ceiling),
    rowOf('GET /health picus binary, embedded DynamoDB (no store call)', med(healthRuns)),
  ];
  target(
    'DynamoDB path vs direct GetItem',
    '>= 90%',
    pct(ratioOf(get, ceiling)),
    ratioOf(get, ceiling) >= 0.9,
  );
  await cleanup();
}

async function benchWrites(): Promise<void> {
  const engine = await startEngine();
  const mem = await startPicus({ PICUS_STORE: 'memory' }, 'picus (memory)');
  const ddb = await startPicus(
    { PICUS_STORE: 'dynamodb', DYNAMODB_ENDPOINT: engine.endpoint },
    'picus (embedded DynamoDB)',
  );
  const script = join(HERE, 'put.lua');
  const run = `${Date.now().toString(36)}`;
  const contenders: Contender[] = [
    { name: 'memory', url: `${mem.url}/picus/put`, pid: mem.pid, script, headers: AUTHORIZED },
    {
      name: 'memory-idem',
      url: `${mem.url}/picus/put`,
      pid: mem.pid,
      script,
      scriptArgs: ['idem', `m${run}`],
      headers: AUTHORIZED,
    },
    { name: 'dynamodb', url: `${ddb.url}/picus/put`, pid: ddb.pid, script, headers: AUTHORIZED },
    {
      name: 'dynamodb-idem',
      url: `${ddb.url}/picus/put`,
      pid: ddb.pid,
      script,
      scriptArgs: ['idem', `d${run}`],
      headers: AUTHORIZED,
    },
  ];
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
  const med = (name: string): Summary => {
    const runs = results.get(name) ?? [];
    return {
      rps: median(runs.map((r) => r.rps)),
      p50Ms: median(runs.map((r) => r.p50Ms)),
      p99Ms: median(runs.map((r) => r.p99Ms)),
      rounds: runs.length,
      errors: runs.reduce((s, r) => s + r.errors, 0),
      peakRssMb: Math.max(...runs.map((r) => r.peakRssMb ?? 0)),
    };
  };
  const m = med('memory');
  const d = med('dynamodb');
  report.sections.writes = [
    rowOf('POST /picus/put memory', m, m),
    rowOf('POST /picus/put memory + Idempotency-Key', med('memory-idem'), m),
    rowOf('POST /picus/put embedded DynamoDB', d, d),
    rowOf('POST /picus/put embedded DynamoDB + Idempotency-Key', med('dynamodb-idem'), d),
  ];
  await cleanup();
}

async function benchLoadBalancer(): Promise<void> {
  const appPort = await freePort();
  const lbPort = await freePort();
  // The local stack with the in-memory store: app and load balancer in one process (entrypoints/local/main.ts).
  const proc = spawnPinned(SERVER_CPU, ['bun', join(ROOT, 'entrypoints/local/main.ts')], {
    PICUS_STORE: 'memory',
    PORT: String(lbPort),
    PORT_APP: String(appPort),
    LOG_LEVEL: 'silent',
  });
  cleanups.push(proc.stop);
  const lb = `http://127.0.0.1:${lbPort}`;
  const app = `http://127.0.0.1:${appPort}`;
  await waitForHttp(`${lb}/health`);
  // The local stack is its own issuer: a token from it, as a user would get one.
  const authorized = { Authorization: `Bearer ${await tokenFrom(`${lb}/oauth2/token`)}` };
  const item = await seedItem(lb, authorized);
  const rows: Row[] = [];
  for (const [endpoint, path] of [
    ['GET /health', '/health'],
    ['GET /picus/get/{id}', `/picus/get/${item.id}`],
  ] as const) {
    log(`lb: ${endpoint}`);
    const r = await compare(
      [
        { name: 'direct', url: `${app}${path}`, pid: proc.pid, headers: authorized },
        { name: 'lb', url: `${lb}${path}`, pid: proc.pid, headers: authorized },
      ],
      timing,
    );
    const direct = r.get('direct');
    const via = r.get('lb');
    rows.push(rowOf(`${endpoint} direct to the app (local stack, memory)`, direct, direct));
    rows.push(rowOf(`${endpoint} through the local load balancer`, via, direct));
    if (path !== '/health') {
      // The proxy's own upstream call, measured alone on the same CPU: one fetch() per request.
      const client = fetchClientCost(`${app}${path}`, authorized);
      const appUs = direct ? ` vs the app direct: ${(1e6 / direct.rps).toFixed(1)} µs` : '';
      rows.push({
        name: 'reference: Bun fetch() client alone, same request',
        note: `${client.cpuUsPerRequest.toFixed(1)} µs CPU per request${appUs}`,
      });
      report.extra.fetchClient = client;
      if (direct && via) {
        target(
          'Through the local load balancer vs direct',
          '>= 50%',
          pct(ratioOf(via, direct)),
          ratioOf(via, direct) >= 0.5,
        );
      }
    }
  }
  report.sections.lb = rows;
  await cleanup();
}

function fetchClientCost(
  target: string,
  headers: Record<string, string>,
): { cpuUsPerRequest: number; rps: number } {
  const r = Bun.spawnSync(['taskset', '-c', SERVER_CPU, 'bun', join(HERE, 'fetch-client-cost.ts')], {
    env: {
      ...process.env,
      TARGET: target,
      CONCURRENCY: String(timing.connections),
      HEADERS: JSON.stringify(headers),
    },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  if (r.exitCode !== 0) throw new Error(`fetch-client-cost failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString().trim()) as { cpuUsPerRequest: number; rps: number };
}

function timeProcess(cmd: string[], env: Record<string, string>): number {
  const start = performance.now();
  const r = Bun.spawnSync(['taskset', '-c', SERVER_CPU, ...cmd], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdout: 'ignore',
    stderr: 'pipe',
  });
  const ms = performance.now() - start;
  if (r.exitCode !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr.toString()}`);
  return ms;
}

async function benchLambda(): Promise<void> {
  const raw = statSync(BUNDLE).size;
  const gz = gzipSync(readFileSync(BUNDLE), { level: 9 }).length;
  log(`lambda: cold init x${COLD_RUNS}`);
  const bare: number[] = [];
  const coldDdb: number[] = [];
  const coldMem: number[] = [];
  const coldOpen: number[] = [];
  const sdkFloor: number[] = [];
  const lambdaEnv = { LOG_LEVEL: 'silent', AWS_REGION: 'us-east-1', TABLE_NAME: TABLE, ...AUTH };
  for (let i = 0; i < COLD_RUNS + 1; i++) {
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
  log(`lambda: warm x${WARM_EVENTS}`);
  // Not spawnSync: the handler fetches the signing keys from the issuer this process serves.
  const warm = async (logLevel: string, auth: Record<string, string> = {}) => {
    const r = await runCommand(
      ['taskset', '-c', SERVER_CPU, 'node', join(HERE, 'lambda-warm.mjs'), BUNDLE, String(WARM_EVENTS)],
      {
        env: {
          PATH: process.env.PATH ?? '',
          ...lambdaEnv,
          PICUS_STORE: 'memory',
          LOG_LEVEL: logLevel,
          BENCH_AUTHORIZATION: AUTHORIZED.Authorization as string,
          ...auth,
        },
      },
    );
    const line = r.stdout.split('\n').find((l) => l.includes('usPerEvent'));
    if (!line) throw new Error(`lambda-warm failed: ${r.stderr}`);
    const result = JSON.parse(line) as { usPerEvent: number; statuses: Record<string, number> };
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
  report.sections.lambda = [
    {
      name: 'bundle dist/lambda/index.cjs, raw (KB)',
      rps: raw / 1024,
      note: 'AWS SDK external (runtime-provided)',
    },
    { name: 'bundle gzipped -9 (KB)', rps: gz / 1024 },
    { name: 'bare `node -e 0` (ms, median)', rps: bareMs },
    {
      name: 'cold init above bare Node, PICUS_STORE=dynamodb (ms)',
      rps: ddbMs,
      note: 'SDK from node_modules',
    },
    { name: 'cold init above bare Node, PICUS_STORE=memory (ms)', rps: memMs },
    {
      name: 'cold init above bare Node, PICUS_STORE=dynamodb, AUTH_MODE=none (ms)',
      rps: openMs,
      note: `token verification adds ${(ddbMs - openMs).toFixed(1)} ms of init`,
    },
    {
      name: 'reference: require the SDK + new DynamoDBClient, above bare Node (ms)',
      rps: floorMs,
      note: 'the floor for any function using the runtime SDK',
    },
    { name: 'our own init: cold init (dynamodb) minus that floor (ms)', rps: ddbMs - floorMs },
    {
      name: 'warm DELETE, memory store, LOG_LEVEL=silent (µs/event)',
      rps: warmUs,
      note: `statuses ${JSON.stringify(warmSilent[0]?.statuses)} (404 path: the store is per process)`,
    },
    {
      name: 'warm DELETE, memory store, LOG_LEVEL=silent, AUTH_MODE=none (µs/event)',
      rps: warmOpenUs,
      note: `checking the (remembered) token adds ${(warmUs - warmOpenUs).toFixed(1)} µs per event`,
    },
    {
      name: 'warm DELETE, memory store, LOG_LEVEL=info (µs/event, stdout piped)',
      rps: warmInfo.usPerEvent,
    },
  ];
  report.extra.lambda = {
    raw,
    gz,
    bare,
    coldDdb,
    coldMem,
    coldOpen,
    sdkFloor,
    warmSilent,
    warmOpen,
    warmInfo,
  };
  target('Lambda bundle minified', '<= 250 KB', `${(raw / 1024).toFixed(1)} KB`, raw <= 250 * 1024);
  target('Lambda cold init above bare Node', '<= 60 ms', `${ddbMs.toFixed(1)} ms`, ddbMs <= 60);
  target(
    'Lambda warm DELETE per event',
    '<= 0.2 ms',
    `${(warmUs / 1000).toFixed(4)} ms`,
    warmUs / 1000 <= 0.2,
  );
}

function storedItem(i: number): Record<string, AttributeValue> {
  return {
    object_id: { S: `bench-${i.toString().padStart(7, '0')}` },
    created_at: { S: '2025-01-01T00:00:00.000Z' },
    data: {
      M: {
        name: { S: 'bench' },
        n: { N: String(i) },
        tags: { L: [{ S: 'a' }, { S: 'b' }] },
        nested: { M: { ok: { BOOL: true } } },
      },
    },
  };
}

async function loadItems(client: DynamoDBClient, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async () => {
    while (next < to) {
      const start = next;
      next = Math.min(to, next + 25);
      let requests = Array.from({ length: next - start }, (_, k) => ({
        PutRequest: { Item: storedItem(start + k) },
      }));
      while (requests.length) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: requests } }));
        requests = (out.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function pageToEnd(url: string): Promise<{ seconds: number; items: number; pages: number }> {
  let cursor: string | null = null;
  let items = 0;
  let pages = 0;
  const start = performance.now();
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await fetch(`${url}/picus/list?limit=1000${q}`, { headers: AUTHORIZED });
    if (!response.ok) throw new Error(`list failed: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { count: number; next_cursor: string | null };
    items += page.count;
    pages++;
    cursor = page.next_cursor;
  } while (cursor);
  return { seconds: (performance.now() - start) / 1000, items, pages };
}

async function benchList(): Promise<void> {
  const engine = await startEngine();
  const client = adminClient(engine.endpoint);
  const rows: Row[] = [];
  const results: Array<{ size: number; hwm: number; onePassHwm: number }> = [];
  const equalPages = Math.ceil(Math.max(...LIST_SIZES) / 1000) + 1;
  let loaded = 0;
  for (const size of LIST_SIZES) {
    const t0 = performance.now();
    await loadItems(client, loaded, size);
    log(`list: loaded ${size - loaded} items in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    loaded = size;
    const picus = await startPicus(
      { PICUS_STORE: 'dynamodb', DYNAMODB_ENDPOINT: engine.endpoint, DYNAMODB_TIMEOUT_MS: '10000' },
      `picus for list of ${size}`,
    );
    const idle = memoryOf(picus.pid).rssMb;
    const stopSampling = sampleRss(picus.pid, 50);
    const run = await pageToEnd(picus.url);
    const onePassHwm = memoryOf(picus.pid).hwmMb;
    if (run.items !== size) throw new Error(`list returned ${run.items} items, expected ${size}`);
    // Peak RSS also rises with the number of requests served (the heap grows to a steady size
    // under load), so the table-size comparison gives both servers the same work: the smaller
    // table is paged through again until as many pages were served as the largest table has.
    let pages = run.pages;
    while (pages < equalPages) pages += (await pageToEnd(picus.url)).pages;
    const sampled = stopSampling();
    const hwm = memoryOf(picus.pid).hwmMb;
    results.push({ size, hwm, onePassHwm });
    rows.push({
      name: `list ${size.toLocaleString('en-US')} items, limit=1000 (${run.pages} pages)`,
      rps: run.items / run.seconds,
      rssMb: hwm,
      note:
        `total ${run.seconds.toFixed(2)} s; peak RSS ${onePassHwm.toFixed(1)} MB after one pass, ` +
        `${hwm.toFixed(1)} MB after ${pages} pages; idle RSS ${idle.toFixed(1)} MB, max sampled ${sampled.toFixed(1)} MB`,
    });
    await picus.stop();
  }
  client.destroy();
  const [small, big] = results;
  if (small && big) {
    const growth = big.hwm / small.hwm - 1;
    const onePass = big.onePassHwm / small.onePassHwm - 1;
    target(
      `List peak RSS ${big.size / 1000}k vs ${small.size / 1000}k, same number of pages served`,
      'within 10%',
      `${(growth * 100).toFixed(1)}% (${small.hwm.toFixed(1)} → ${big.hwm.toFixed(1)} MB); ` +
        `one pass each: ${(onePass * 100).toFixed(1)}%`,
      growth <= 0.1,
    );
  }
  report.sections.list = rows;
  await cleanup();
}

// ---------------------------------------------------------------- output

const HEADERS: Record<string, string[]> = {
  default: ['Case', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS MB', 'vs ceiling (paired)', 'errors', 'note'],
  lambda: ['Measure', 'value', 'note'],
  list: ['Case', 'items/s', 'server peak RSS (VmHWM) MB', 'note'],
};

function markdown(): string {
  const lines: string[] = [];
  const m = report.machine;
  lines.push(
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memGb} GB; bun ${m.bun}, node ${m.node}, ${m.wrk}. ` +
      `Server on CPU ${SERVER_CPU}, wrk on CPU ${LOAD_CPU}; ${timing.connections} connections, ` +
      `${timing.rounds} rounds x ${timing.roundSeconds} s after ${timing.warmupSeconds} s warm-up; medians.`,
    '',
  );
  const titles: Record<string, string> = {
    web: 'Web tier (compiled binary, in-memory store)',
    dynamo: 'DynamoDB path (embedded DynamoDB on CPU 1, with wrk)',
    writes: 'Writes',
    lb: 'Through the local load balancer',
    lambda: 'Lambda',
    list: 'Scale of list',
  };
  for (const [section, rows] of Object.entries(report.sections)) {
    lines.push(`### ${titles[section] ?? section}`, '');
    const header = HEADERS[section] ?? (HEADERS.default as string[]);
    lines.push(`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`);
    for (const r of rows) {
      const cells =
        section === 'lambda'
          ? [r.name, num(r.rps, 2), r.note ?? '']
          : section === 'list'
            ? [r.name, num(r.rps), num(r.rssMb, 1), r.note ?? '']
            : [
                r.name,
                num(r.rps),
                num(r.p50Ms, 2),
                num(r.p99Ms, 2),
                num(r.rssMb, 1),
                pct(r.ratio),
                num(r.errors),
                r.note ?? '',
              ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  if (report.targets.length) {
    lines.push('### Targets', '', '| Target | Goal | Measured | Result |', '|---|---|---|---|');
    for (const t of report.targets)
      lines.push(`| ${t.name} | ${t.goal} | ${t.measured} | ${t.met ? 'met' : 'NOT met'} |`);
    lines.push('');
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  if (!flags['no-build']) {
    log('building with scripts/build.ts --target=host');
    const b = Bun.spawnSync(
      ['bun', join(ROOT, 'scripts/build.ts'), '--target=host', `--outdir=${BUILD_DIR}`],
      {
        cwd: ROOT,
        stdout: 'ignore',
        stderr: 'pipe',
      },
    );
    if (b.exitCode !== 0) throw new Error(`build failed: ${b.stderr.toString()}`);
  }
  await startIssuer();
  const runners: Record<Section, () => Promise<void>> = {
    web: benchWeb,
    dynamo: benchDynamo,
    writes: benchWrites,
    lb: benchLoadBalancer,
    lambda: benchLambda,
    list: benchList,
  };
  for (const section of SECTIONS) {
    if (!only.has(section)) continue;
    const t0 = performance.now();
    try {
      await runners[section]();
    } catch (error) {
      report.extra[`${section}_error`] = String(error);
      log(`${section} FAILED: ${String(error)}`);
    } finally {
      await cleanup();
    }
    log(`${section} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const table = markdown();
  writeFileSync(join(OUT_DIR, 'report.json'), `${JSON.stringify({ ...report, markdown: table }, null, 2)}\n`);
  process.stdout.write(`${table}\nReport: dist/bench/report.json\n`);
}

process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
try {
  await main();
} finally {
  await cleanup();
  await issuer?.stop();
}
process.exit(report.extra && Object.keys(report.extra).some((k) => k.endsWith('_error')) ? 1 : 0);
