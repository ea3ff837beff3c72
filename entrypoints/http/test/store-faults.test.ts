import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server, Socket } from 'bun';
import { createDynamoClient } from '../../../adapters/dynamodb/dynamodb-client.ts';
import { DynamoItemRepository } from '../../../adapters/dynamodb/dynamodb-item-repository.ts';
import {
  type EmbeddedDynamo,
  startEmbeddedDynamo,
} from '../../../adapters/dynamodb/embedded/embedded-dynamodb.ts';
import { ensureTableAt } from '../../../adapters/dynamodb/table.ts';
import { PutItemResponse } from '../../../contracts/item.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { freePort } from '../../local/free-port.ts';
import { createAuthorizer } from '../../shared/auth/authorizer.ts';
import { createLogger } from '../../shared/logger.ts';
import { createApp } from '../app.ts';
import { serveApp } from '../server.ts';

/**
 * The store fails under a running service: down at start, killed mid-load, slow.
 * Every request must end within its budget as 2xx or 503 (+ Retry-After), the
 * service must recover by itself, and no acknowledged write may be missing.
 */
const TIMEOUT_MS = 300;
const ATTEMPTS = 2;
// Per-request store budget: attempts x timeout, plus the SDK's backoff and scheduling slack.
const BUDGET_MS = ATTEMPTS * TIMEOUT_MS + 1500;

const dataDir = mkdtempSync(join(tmpdir(), 'picus-faults-'));
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

function serviceAt(endpoint: string): { base: string; server: Server<undefined> } {
  const client = createDynamoClient({
    region: 'us-east-1',
    endpoint,
    connectTimeoutMs: TIMEOUT_MS,
    requestTimeoutMs: TIMEOUT_MS,
    maxAttempts: ATTEMPTS,
  });
  const service = new ItemService(new DynamoItemRepository(client, 'picus_data'));
  const { server } = serveApp(createApp({ service, auth: createAuthorizer({ mode: 'none' }) }), {
    port: 0,
    hostname: '127.0.0.1',
    logger: createLogger('silent'),
  });
  cleanups.push(
    () => server.stop(true),
    () => client.destroy(),
  );
  return { base: `http://127.0.0.1:${server.port}`, server };
}

async function timed(request: () => Promise<Response>): Promise<{ response: Response; ms: number }> {
  const started = performance.now();
  const response = await request();
  return { response, ms: performance.now() - started };
}

const put = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/picus/put`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('store faults', () => {
  test('down at start, killed mid-load, back again: fast 503s, recovery, no acknowledged write lost', async () => {
    const port = await freePort();
    const { base } = serviceAt(`http://127.0.0.1:${port}`);
    let faults = 0;

    // 1. The store is down before the service's first request.
    faults++;
    const down = await timed(() => put(base, { phase: 'down' }));
    expect(down.response.status).toBe(503);
    expect(down.response.headers.get('retry-after')).toBe('1');
    expect(down.ms).toBeLessThan(BUDGET_MS);
    expect((await fetch(`${base}/ready`)).status).toBe(503);
    expect((await fetch(`${base}/health`)).status).toBe(200);

    // 2. It comes up: the service recovers without a restart.
    let engine: EmbeddedDynamo = await startEmbeddedDynamo({ dataDir, port });
    cleanups.push(() => engine.stop());
    await ensureTableAt(engine.endpoint, 'picus_data');
    expect((await fetch(`${base}/ready`)).status).toBe(200);

    // 3. Steady writes; the engine is killed (SIGKILL, as a crash) and restarted mid-load.
    const acknowledged: string[] = [];
    const counts = { ok: 0, unavailable: 0, other: 0 };
    let slowest = 0;
    let running = true;
    const writer = async (worker: number) => {
      for (let i = 0; running; i++) {
        const { response, ms } = await timed(() => put(base, { worker, i }));
        slowest = Math.max(slowest, ms);
        if (response.status === 201) {
          acknowledged.push(PutItemResponse.parse(await response.json()).object_id);
          counts.ok++;
        } else if (response.status === 503 && response.headers.get('retry-after') === '1') {
          await response.arrayBuffer();
          counts.unavailable++;
        } else {
          counts.other++;
        }
      }
    };
    const writers = Promise.all([0, 1, 2, 3].map(writer));
    await Bun.sleep(600);
    faults++;
    await engine.kill();
    await Bun.sleep(800);
    expect((await fetch(`${base}/ready`)).status).toBe(503);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    engine = await startEmbeddedDynamo({ dataDir, port });
    await Bun.sleep(800);
    running = false;
    await writers;

    console.log(
      `faults: ${faults} store outages; ${counts.ok + counts.unavailable + counts.other} writes: ` +
        `${counts.ok} acknowledged, ${counts.unavailable} refused with 503, ${counts.other} other; slowest ${Math.round(slowest)} ms`,
    );
    expect(counts.other).toBe(0);
    expect(counts.unavailable).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(BUDGET_MS);
    expect((await fetch(`${base}/ready`)).status).toBe(200);

    // 4. Every acknowledged write survived the crash.
    const missing: string[] = [];
    for (const id of acknowledged) {
      if ((await fetch(`${base}/picus/get/${id}`)).status !== 200) missing.push(id);
    }
    expect(missing).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(10);
  }, 60_000);

  test('a store slower than the budget: requests end in bounded time with 503', async () => {
    const engine = await startEmbeddedDynamo();
    cleanups.push(() => engine.stop());
    // A TCP proxy that holds every byte for 2 s before passing it on.
    const proxy = Bun.listen<{ upstream?: Socket<undefined> }>({
      hostname: '127.0.0.1',
      port: 0,
      socket: {
        open(client) {
          void Bun.connect({
            hostname: '127.0.0.1',
            port: engine.port,
            socket: {
              data: (_upstream, chunk) => void setTimeout(() => client.write(chunk), 2000),
              close: () => {
                client.end();
              },
              error: () => {
                client.end();
              },
            },
          }).then((upstream) => {
            client.data = { upstream };
          });
        },
        data(client, chunk) {
          const copy = Buffer.from(chunk);
          setTimeout(() => client.data?.upstream?.write(copy), 2000);
        },
        close(client) {
          client.data?.upstream?.end();
        },
      },
      data: {},
    });
    cleanups.push(() => proxy.stop(true));
    const { base } = serviceAt(`http://127.0.0.1:${proxy.port}`);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        timed(() => (i % 2 ? fetch(`${base}/picus/get/x`) : put(base, { i }))),
      ),
    );
    for (const { response, ms } of results) {
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(ms).toBeLessThan(BUDGET_MS);
    }
    console.log(
      `faults: slow store (+2 s per hop): ${results.length} requests, slowest ${Math.round(Math.max(...results.map((r) => r.ms)))} ms`,
    );
  }, 30_000);

  test('racing idempotent puts against DynamoDB create exactly one item', async () => {
    const engine = await startEmbeddedDynamo();
    cleanups.push(() => engine.stop());
    await ensureTableAt(engine.endpoint, 'picus_data');
    const { base } = serviceAt(engine.endpoint);
    const responses = await Promise.all(
      Array.from({ length: 16 }, () => put(base, { order: 17 }, { 'idempotency-key': 'race-17' })),
    );
    const ids = new Set<string>();
    for (const response of responses) {
      expect(response.status).toBe(201);
      ids.add(PutItemResponse.parse(await response.json()).object_id);
    }
    expect(ids.size).toBe(1);
    const list = (await (await fetch(`${base}/picus/list?limit=1000`)).json()) as { count: number };
    expect(list.count).toBe(1);
  }, 30_000);
});
