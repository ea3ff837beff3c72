/**
 * The servers a section measures, each pinned to its CPU, and their stopping: a section starts
 * what it needs from one `BenchServers` and main.ts stops it all when the section ends.
 */
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../../adapters/dynamodb/dynamodb-client.ts';
import { ensureTable } from '../../adapters/dynamodb/table.ts';
import { freePort } from '../../entrypoints/local/free-port.ts';
import { waitForHttp } from '../support/child-processes.ts';
import type { RunAuth } from './auth.ts';
import { log } from './log.ts';
import { LOAD_CPU, type PinnedProcess, SERVER_CPU, spawnPinned } from './pinned-process.ts';
import { BENCH_DIR, BINARY, ROOT, TABLE } from './settings.ts';

export type Served = PinnedProcess & { readonly url: string };

/** A client for setting up the embedded DynamoDB (tables, bulk loads), generous with time. */
export function adminClient(endpoint: string): DynamoDBClient {
  return createDynamoClient({
    region: 'us-east-1',
    endpoint,
    connectTimeoutMs: 5000,
    requestTimeoutMs: 30_000,
    maxAttempts: 5,
  });
}

const waitForHealth = (url: string) => waitForHttp(`${url}/health`, { timeoutMs: 15_000 });

/** What the bare reference server sends and does besides answering (see ceiling-server.ts). */
export interface CeilingOptions {
  readonly headers?: boolean;
  readonly list?: string;
  readonly keepItems?: boolean;
}

export class BenchServers {
  private readonly stops: Array<() => Promise<void>> = [];

  constructor(private readonly auth: RunAuth) {}

  private started<P extends PinnedProcess>(proc: P): P {
    this.stops.push(proc.stop);
    return proc;
  }

  /**
   * The compiled binary on the server CPU, checking tokens from the run's issuer unless `env`
   * says not. Its stdout goes to /dev/null, or with `drainedStdout` to a pipe that a `cat` on the
   * load generator's CPU reads as fast as it comes (as the awslogs driver, outside the task's CPU,
   * reads a task's stdout): the server pays for writing its lines, not for reading them.
   */
  async picus(env: Record<string, string>, label: string, drainedStdout = false): Promise<Served> {
    const served = await this.server(
      [BINARY],
      (port) => ({
        PORT_APP: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        TABLE_NAME: TABLE,
        AWS_REGION: 'us-east-1',
        ...this.auth.env,
        ...env,
      }),
      drainedStdout,
    );
    log(`${label} up on ${served.url} (pid ${served.pid})`);
    return served;
  }

  /**
   * `command` serving on the server CPU at a free port (`envFor` says how it is told which),
   * once its /health answers; its stdout to /dev/null or, with `drainedStdout`, a drained pipe.
   */
  private async server(
    command: readonly string[],
    envFor: (port: number) => Record<string, string>,
    drainedStdout: boolean,
  ): Promise<Served> {
    const port = await freePort();
    const stdout = drainedStdout ? this.drainedPipe() : 'ignore';
    const proc = this.started(spawnPinned(SERVER_CPU, command, envFor(port), { stdout }));
    if (typeof stdout === 'number') closeSync(stdout);
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url);
    return { ...proc, url };
  }

  /** The write end of a named pipe that a `cat` pinned to the load CPU drains into /dev/null. */
  private drainedPipe(): number {
    const dir = mkdtempSync(join(tmpdir(), 'picus-bench-stdout-'));
    const fifo = join(dir, 'stdout');
    Bun.spawnSync(['mkfifo', fifo]);
    this.started(spawnPinned(LOAD_CPU, ['sh', '-c', `exec cat "${fifo}" > /dev/null`], {}));
    // Opening blocks until the reader has the pipe open: then the fifo's name is no longer needed.
    const fd = openSync(fifo, 'w');
    rmSync(dir, { recursive: true, force: true });
    return fd;
  }

  /**
   * The web tier's ceiling (ceiling-server.ts) serving `itemJson` (and `list` as the list page);
   * with `headers`, picus's headers too; with `keepItems`, each put's item kept as the memory store does.
   */
  ceiling(itemJson: string, options: CeilingOptions = {}): Promise<Served> {
    const { headers = false, list, keepItems = false } = options;
    return this.server(
      ['bun', join(BENCH_DIR, 'ceiling-server.ts')],
      (port) => ({
        PORT: String(port),
        ITEM_JSON: itemJson,
        ...(headers ? { WITH_HEADERS: '1' } : {}),
        ...(list !== undefined ? { LIST_JSON: list } : {}),
        ...(keepItems ? { KEEP_ITEMS: '1' } : {}),
      }),
      false,
    );
  }

  /**
   * The floor of the production case's GET (floor-server.ts): picus's required work for one
   * request and nothing else, checking the run's tokens, logging at info with EMF to a drained pipe.
   */
  floor(itemJson: string): Promise<Served> {
    return this.server(
      ['bun', join(BENCH_DIR, 'floor-server.ts')],
      (port) => ({ PORT: String(port), ITEM_JSON: itemJson, APP_METRICS: 'emf', ...this.auth.env }),
      true,
    );
  }

  /** The embedded DynamoDB (dynalite, in memory) with the bench table, pinned to the load CPU: see the dynamo section. */
  async engine(): Promise<PinnedProcess & { readonly endpoint: string }> {
    const script = join(ROOT, 'adapters/dynamodb/embedded/dynalite-server.cjs');
    const proc = this.started(spawnPinned(LOAD_CPU, ['node', script], {}, { stdout: 'pipe' }));
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

  /**
   * The local stack with the in-memory store, app and load balancer in one process
   * (entrypoints/local/main.ts), on the server CPU; it is its own token issuer.
   */
  async localStack(): Promise<PinnedProcess & { readonly lb: string; readonly app: string }> {
    const appPort = await freePort();
    const lbPort = await freePort();
    const proc = this.started(
      spawnPinned(SERVER_CPU, ['bun', join(ROOT, 'entrypoints/local/main.ts')], {
        PICUS_STORE: 'memory',
        PORT: String(lbPort),
        PORT_APP: String(appPort),
        LOG_LEVEL: 'silent',
      }),
    );
    const lb = `http://127.0.0.1:${lbPort}`;
    await waitForHealth(lb);
    return { ...proc, lb, app: `http://127.0.0.1:${appPort}` };
  }

  /** Stops everything started here, last first. */
  async stopAll(): Promise<void> {
    while (this.stops.length)
      await this.stops
        .pop()?.()
        .catch(() => {});
  }
}
