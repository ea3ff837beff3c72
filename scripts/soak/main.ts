/**
 * `bun run soak [--duration=3m] [--concurrency=16] [--interval=10s] [--item-kib=N]`: a bounded soak
 * of the local stack (`bun run dev`'s entry, fresh DATA_DIR, free loopback ports).
 * Workers drive put/get/list/delete (DELETE through the load balancer to the Lambda
 * handler) at steady concurrency; every interval prints throughput, p50/p99/max
 * latency, errors and the RSS of the container, the stack (load balancer + Lambda)
 * and the embedded DynamoDB. At the end a full list of the table must equal the
 * items the run created and did not delete.
 *
 * Items are small JSON objects, or with `--item-kib=N` bodies of N KiB (at most 256, the
 * API's limit) of incompressible text, as a worst case for the engine's storage.
 *
 * Exits 1 on any error, a table that differs from what the run expects, a
 * container RSS in the last interval above RSS_GROWTH_LIMIT x the first interval
 * after warm-up, or an embedded DynamoDB whose RSS after the run is above
 * ENGINE_RSS_DATA_FACTOR x the live data + ENGINE_RSS_BASE_MIB (issue 15, item 13).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'bun';
import { freePort } from '../../entrypoints/local/free-port.ts';
import { waitForStackReady } from '../../entrypoints/local/stack-banner.ts';
import { childProcesses, statusMiB } from '../support/child-processes.ts';

const ROOT = join(import.meta.dir, '..', '..');
const STACK_MAIN = join(ROOT, 'entrypoints', 'local', 'main.ts');
const CONTAINER_MAIN = join(ROOT, 'entrypoints', 'http', 'main.ts');
const RSS_GROWTH_LIMIT = 1.5;
/** The engine may hold its data a few times over (LevelDB's log, levels, maps) plus a base. */
const ENGINE_RSS_DATA_FACTOR = 3;
const ENGINE_RSS_BASE_MIB = 150;
/** The API refuses bodies over 256 KiB. */
const MAX_ITEM_KIB = 256;
const MiB = 1024 * 1024;
/** Live items the run keeps around once warm: puts and deletes then balance. */
const TARGET_LIVE = 500;

function flag(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

function durationMs(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text} (e.g. 30s, 3m, 500ms)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(value * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000));
}

const DURATION_MS = durationMs(flag('duration', '3m'));
const CONCURRENCY = Number.parseInt(flag('concurrency', '16'), 10);
const INTERVAL_MS = durationMs(flag('interval', DURATION_MS >= 120_000 ? '10s' : '3s'));
const ITEM_KIB = Number(flag('item-kib', '0'));
if (!(Number.isInteger(ITEM_KIB) && ITEM_KIB >= 0 && ITEM_KIB <= MAX_ITEM_KIB)) {
  throw new Error(`--item-kib must be 1..${MAX_ITEM_KIB} (0 or absent: small items)`);
}
if (!(CONCURRENCY >= 1 && CONCURRENCY <= 256)) throw new Error('--concurrency must be 1..256');
if (DURATION_MS < 3 * INTERVAL_MS || DURATION_MS > 60 * 60_000) {
  throw new Error('--duration must be at least 3 intervals and at most 60m');
}

// ---- the stack -------------------------------------------------------------

const dataDir = mkdtempSync(join(tmpdir(), 'picus-soak-'));
const port = await freePort();
const stack = spawn([process.execPath, STACK_MAIN], {
  cwd: ROOT,
  env: {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  },
  stdin: 'ignore',
  stdout: 'pipe',
  stderr: 'inherit',
});
const base = `http://127.0.0.1:${port}`;

/** The workers' token, from the stack's own issuer (client credentials, every scope). */
let auth: Record<string, string> = {};

async function waitForBanner(): Promise<void> {
  // Keep draining its stdout after the banner (warnings and errors are logged there) and echo it.
  await waitForStackReady(stack.stdout, 30_000, (chunk) => process.stderr.write(chunk));
  const response = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa('picus-local:picus-local-secret')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const { access_token } = (await response.json()) as { access_token: string };
  auth = { authorization: `Bearer ${access_token}` };
}

/** Resident set size in MiB; NaN when unknown. */
const rssMiB = (pid: number | undefined) => statusMiB(pid, 'VmRSS');

// ---- the model of the table ------------------------------------------------

/** Items the run created and has not deleted, with their data; `busy` ones have a request in flight. */
const live = new Map<string, Record<string, unknown>>();
const liveIds: string[] = [];
const busy = new Set<string>();
let deleted = 0;
/** Bytes of the live items' data as JSON: the table's data size the engine's RSS is held to. */
let liveBytes = 0;
const sizeOf = (data: Record<string, unknown>) => Buffer.byteLength(JSON.stringify(data));

function addLive(id: string, data: Record<string, unknown>): void {
  live.set(id, data);
  liveIds.push(id);
  liveBytes += sizeOf(data);
}

function removeLive(id: string): void {
  const data = live.get(id);
  if (data) liveBytes -= sizeOf(data);
  live.delete(id);
  const index = liveIds.indexOf(id);
  if (index >= 0) {
    liveIds[index] = liveIds[liveIds.length - 1] as string;
    liveIds.pop();
  }
}

/** A random live item no other request is using, reserved until `release`. */
function reserve(): string | undefined {
  for (let tries = 0; tries < 8 && liveIds.length > 0; tries++) {
    const id = liveIds[Math.floor(Math.random() * liveIds.length)] as string;
    if (!busy.has(id)) {
      busy.add(id);
      return id;
    }
  }
  return undefined;
}

// ---- measurements ----------------------------------------------------------

interface Interval {
  latencies: number[];
  errors: number;
  ops: Record<string, number>;
}
const newInterval = (): Interval => ({ latencies: [], errors: 0, ops: {} });
let current = newInterval();
let totalOps = 0;
let totalErrors = 0;
const errorSamples: string[] = [];

function fail(what: string): void {
  current.errors++;
  totalErrors++;
  if (errorSamples.length < 10) errorSamples.push(what);
}

async function timed(op: string, run: () => Promise<Response>): Promise<Response | undefined> {
  const started = performance.now();
  try {
    const response = await run();
    current.latencies.push(performance.now() - started);
    current.ops[op] = (current.ops[op] ?? 0) + 1;
    totalOps++;
    return response;
  } catch (error) {
    fail(`${op}: ${String(error)}`);
    return undefined;
  }
}

async function expectStatus(op: string, response: Response | undefined, status: number): Promise<unknown> {
  if (!response) return undefined;
  const text = await response.text();
  if (response.status !== status) {
    fail(`${op}: ${response.status} ${text.slice(0, 200)}`);
    return undefined;
  }
  return JSON.parse(text);
}

const json = { 'content-type': 'application/json' };
let sequence = 0;

/** Base64 of random bytes: what LevelDB cannot compress, so the engine stores it all. */
function incompressible(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil((length * 3) / 4)));
  return Buffer.from(bytes).toString('base64').slice(0, length);
}

/** An item's data: small, or a body of ITEM_KIB KiB once encoded (the other fields take ~40 bytes). */
function newData(worker: number): Record<string, unknown> {
  const n = sequence++;
  if (ITEM_KIB === 0) return { worker, n, pad: 'p'.repeat(64 + (n % 512)) };
  return { worker, n, pad: incompressible(ITEM_KIB * 1024 - 64) };
}

async function doPut(worker: number): Promise<void> {
  const data = newData(worker);
  const body = (await expectStatus(
    'put',
    await timed('put', () =>
      fetch(`${base}/picus/put`, {
        method: 'POST',
        headers: { ...json, ...auth },
        body: JSON.stringify(data),
      }),
    ),
    201,
  )) as { object_id: string } | undefined;
  if (body) addLive(body.object_id, data);
}

async function doGet(): Promise<void> {
  const id = reserve();
  if (!id) return doPut(-1);
  try {
    const body = (await expectStatus(
      'get',
      await timed('get', () => fetch(`${base}/picus/get/${encodeURIComponent(id)}`, { headers: auth })),
      200,
    )) as { data: unknown } | undefined;
    if (body && JSON.stringify(body.data) !== JSON.stringify(live.get(id))) fail(`get ${id}: data differs`);
  } finally {
    busy.delete(id);
  }
}

async function doDelete(): Promise<void> {
  const id = reserve();
  if (!id) return;
  try {
    const body = (await expectStatus(
      'delete',
      await timed('delete', () =>
        fetch(`${base}/picus/${encodeURIComponent(id)}`, { method: 'DELETE', headers: auth }),
      ),
      200,
    )) as { deleted?: boolean } | undefined;
    // Only an acknowledged delete leaves the model; after an error the item may still be there.
    if (body?.deleted === true) {
      removeLive(id);
      deleted++;
    }
  } finally {
    busy.delete(id);
  }
}

async function doList(): Promise<void> {
  const body = (await expectStatus(
    'list',
    await timed('list', () => fetch(`${base}/picus/list?limit=50`, { headers: auth })),
    200,
  )) as { items?: unknown[]; count?: number } | undefined;
  if (body && (!Array.isArray(body.items) || body.items.length !== body.count)) fail('list: malformed page');
}

async function worker(id: number, until: number): Promise<void> {
  while (performance.now() < until) {
    const roll = Math.random();
    // Grow to TARGET_LIVE, then puts and deletes balance: 25/35/10/25 (+5 more puts below target).
    const putShare = live.size < TARGET_LIVE ? 0.3 : 0.25;
    if (roll < putShare) await doPut(id);
    else if (roll < 0.65) await doGet();
    else if (roll < 0.75) await doList();
    else await doDelete();
  }
}

/** Every item in the table, by following cursors. */
async function listAll(): Promise<Map<string, unknown>> {
  const items = new Map<string, unknown>();
  let cursor: string | null = null;
  for (let pages = 0; pages < 100_000; pages++) {
    const url = `${base}/picus/list?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const response = await fetch(url, { headers: auth });
    if (response.status !== 200) throw new Error(`full list: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as {
      items: Array<{ object_id: string; data: unknown }>;
      next_cursor: string | null;
    };
    for (const item of page.items) {
      if (items.has(item.object_id)) throw new Error(`full list: ${item.object_id} listed twice`);
      items.set(item.object_id, item.data);
    }
    cursor = page.next_cursor;
    if (cursor === null) return items;
  }
  throw new Error('full list: too many pages');
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const pad = (value: string | number, width: number) => String(value).padStart(width);
const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));
const mib = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(1));

// ---- the run ---------------------------------------------------------------

let exitCode = 1;
try {
  await waitForBanner();
  const childPid = (command: string) =>
    childProcesses(stack.pid).find((child) => child.cmdline.includes(command))?.pid;
  const containerPid = childPid(CONTAINER_MAIN);
  // The stack restarts an engine that dies (a new pid): look it up each time.
  const dynamoPid = () => childPid('dynalite');
  if (containerPid === undefined) throw new Error('could not find the container process under the stack');

  console.log(
    `soak: ${DURATION_MS / 1000} s, ${CONCURRENCY} workers, ${INTERVAL_MS / 1000} s intervals, ` +
      `${ITEM_KIB === 0 ? 'small items' : `items of ${ITEM_KIB} KiB`}, ` +
      `against ${base} (container pid ${containerPid}, data in ${dataDir})`,
  );
  console.log(
    `${pad('t(s)', 6)} ${pad('ops', 7)} ${pad('ops/s', 7)} ${pad('p50ms', 7)} ${pad('p99ms', 7)} ` +
      `${pad('maxms', 7)} ${pad('errors', 6)} ${pad('live', 6)} ${pad('app MiB', 8)} ${pad('lb MiB', 7)} ` +
      `${pad('db MiB', 7)} ${pad('data MiB', 8)}`,
  );

  const started = performance.now();
  const until = started + DURATION_MS;
  const workers = Promise.all(Array.from({ length: CONCURRENCY }, (_, id) => worker(id, until)));
  const rows: Array<{ t: number; p99: number; appRss: number; dbRss: number }> = [];
  const report = () => {
    const interval = current;
    current = newInterval();
    const sorted = interval.latencies.sort((a, b) => a - b);
    const t = (performance.now() - started) / 1000;
    const appRss = rssMiB(containerPid);
    const dbRss = rssMiB(dynamoPid());
    const p99 = percentile(sorted, 99);
    rows.push({ t, p99, appRss, dbRss });
    console.log(
      `${pad(t.toFixed(0), 6)} ${pad(sorted.length, 7)} ${pad((sorted.length / (INTERVAL_MS / 1000)).toFixed(0), 7)} ` +
        `${pad(ms(percentile(sorted, 50)), 7)} ${pad(ms(p99), 7)} ${pad(ms(sorted.at(-1) ?? Number.NaN), 7)} ` +
        `${pad(interval.errors, 6)} ${pad(live.size, 6)} ${pad(mib(appRss), 8)} ${pad(mib(rssMiB(stack.pid)), 7)} ` +
        `${pad(mib(dbRss), 7)} ${pad(mib(liveBytes / MiB), 8)}`,
    );
  };
  const ticker = setInterval(report, INTERVAL_MS);
  await workers;
  clearInterval(ticker);
  // The last, partial interval's requests count in the totals, not in the table.

  // RSS must not grow: compare the last interval with the first one after warm-up (20% of the run).
  const steady = rows.filter((row) => row.t >= (DURATION_MS / 1000) * 0.2);
  const first = steady[0]?.appRss ?? Number.NaN;
  const last = steady.at(-1)?.appRss ?? Number.NaN;
  const rssOk = !(last > first * RSS_GROWTH_LIMIT) && !Number.isNaN(first) && !Number.isNaN(last);

  // The table holds exactly what the run expects.
  const table = await listAll();
  const missing = [...live.keys()].filter((id) => !table.has(id));
  const unexpected = [...table.keys()].filter((id) => !live.has(id));
  const differing = [...live.entries()].filter(
    ([id, data]) => table.has(id) && JSON.stringify(table.get(id)) !== JSON.stringify(data),
  );

  // The engine holds the table's data a bounded number of times over, after all of that.
  // NaN when the stack has no embedded engine (DYNAMODB_ENDPOINT set): nothing to hold.
  const dbPid = dynamoPid();
  const dbRssEnd = rssMiB(dbPid);
  const dbRssPeak = Math.max(...rows.map((row) => row.dbRss).filter((value) => !Number.isNaN(value)));
  const dataMiB = liveBytes / MiB;
  const dbLimit = ENGINE_RSS_DATA_FACTOR * dataMiB + ENGINE_RSS_BASE_MIB;
  const dbOk = Number.isNaN(dbRssEnd) ? process.env.DYNAMODB_ENDPOINT !== undefined : dbRssEnd <= dbLimit;

  const p99s = rows.map((row) => row.p99).filter((value) => !Number.isNaN(value));
  console.log(
    [
      '',
      `requests: ${totalOps + totalErrors} (${totalOps} answered), errors: ${totalErrors}`,
      `p99 per interval: min ${ms(Math.min(...p99s))} ms, max ${ms(Math.max(...p99s))} ms`,
      `container RSS: ${mib(first)} MiB after warm-up -> ${mib(last)} MiB at the end ` +
        `(limit ${RSS_GROWTH_LIMIT}x: ${rssOk ? 'ok' : 'GREW'})`,
      `embedded DynamoDB RSS: ${mib(dbRssEnd)} MiB after the run (anonymous ${mib(statusMiB(dbPid, 'RssAnon'))}, ` +
        `mapped files ${mib(statusMiB(dbPid, 'RssFile'))}; peak ${mib(dbRssPeak)} MiB while running), ` +
        `live data ${mib(dataMiB)} MiB: limit ${ENGINE_RSS_DATA_FACTOR}x data + ${ENGINE_RSS_BASE_MIB} MiB = ` +
        `${mib(dbLimit)} MiB: ${dbOk ? 'ok' : 'OVER'}`,
      `table: ${table.size} items; expected ${live.size} (${deleted} deleted); ` +
        `missing ${missing.length}, unexpected ${unexpected.length}, differing ${differing.length}`,
    ].join('\n'),
  );
  for (const sample of errorSamples) console.log(`  error: ${sample}`);
  for (const id of [...missing, ...unexpected].slice(0, 5)) console.log(`  mismatch: ${id}`);

  const tableOk = missing.length === 0 && unexpected.length === 0 && differing.length === 0;
  exitCode = totalErrors === 0 && rssOk && tableOk && dbOk ? 0 : 1;
  console.log(exitCode === 0 ? 'soak: PASS' : 'soak: FAIL');
} catch (error) {
  console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
  exitCode = 1;
} finally {
  stack.kill('SIGINT');
  const stackCode = await Promise.race([stack.exited, Bun.sleep(30_000).then(() => 'timeout')]);
  if (stackCode !== 0) {
    console.error(`soak: the stack exited with ${stackCode}`);
    if (stackCode === 'timeout') stack.kill('SIGKILL');
    exitCode = 1;
  }
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(exitCode);
