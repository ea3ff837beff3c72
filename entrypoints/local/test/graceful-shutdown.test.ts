import { afterAll, describe, expect, test } from 'bun:test';
import { createDynamoClient } from '../../../adapters/dynamodb/dynamodb-client.ts';
import { DynamoItemRepository } from '../../../adapters/dynamodb/dynamodb-item-repository.ts';
import { startEmbeddedDynamo } from '../../../adapters/dynamodb/embedded/embedded-dynamodb.ts';
import { ensureTable } from '../../../adapters/dynamodb/table.ts';
import { Item, PutItemResponse } from '../../../contracts/item.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { createDeleteHandler } from '../../lambda/delete-handler.ts';
import { createAuthorizer } from '../../shared/auth/authorizer.ts';
import { createLogger } from '../../shared/logger.ts';
import { type ContainerProcess, startContainer } from '../container-process.ts';
import { freePort } from '../free-port.ts';
import { startLoadBalancer } from '../load-balancer.ts';

/**
 * Issue 6: under continuous load through the local load balancer, SIGTERM one of
 * two container processes. No request may fail, the ones in flight (slow uploads
 * among them) must complete, and the process must exit 0 within its drain budget.
 * Both containers share one embedded DynamoDB, so every acknowledged put is
 * checked afterwards through the survivor.
 */
const DRAIN_BUDGET_MS = 8_000;
const NOTICE_MS = 1_000;
const HEALTH_CHECK_MS = 100;
const WORKERS = 24;
const SLOW_UPLOADERS = 4;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const json = { 'content-type': 'application/json' };

/** A chunked JSON upload that trickles in over about `ms`, so it is in flight for that long. */
function slowBody(chunks: number, ms: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const filler = 'x'.repeat(4096);
  let sent = 0;
  return new ReadableStream({
    async pull(controller) {
      if (sent === 0) controller.enqueue(encoder.encode('{"slow":['));
      else await Bun.sleep(ms / chunks);
      if (sent === chunks) {
        controller.enqueue(encoder.encode(']}'));
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(`${sent > 0 ? ',' : ''}"${filler}"`));
      sent++;
    },
  });
}

describe('graceful shutdown through the load balancer', () => {
  test('SIGTERM one of two containers under load: zero failures, in-flight complete, exit 0 in budget', async () => {
    const engine = await startEmbeddedDynamo();
    cleanups.push(() => engine.stop());
    const client = createDynamoClient({
      region: 'us-east-1',
      endpoint: engine.endpoint,
      connectTimeoutMs: 2000,
      requestTimeoutMs: 5000,
      maxAttempts: 3,
    });
    cleanups.push(() => client.destroy());
    await ensureTable(client, 'picus_data');

    const env = (port: number) => ({
      PORT_APP: String(port),
      HOST: '127.0.0.1',
      DYNAMODB_ENDPOINT: engine.endpoint,
      TABLE_NAME: 'picus_data',
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: String(DRAIN_BUDGET_MS),
      SHUTDOWN_NOTICE_MS: String(NOTICE_MS),
      // Draining is what is tested here; authentication has its own tests.
      AUTH_MODE: 'none',
    });
    const containers: ContainerProcess[] = await Promise.all([
      startContainer(env(await freePort())),
      startContainer(env(await freePort())),
    ]);
    for (const container of containers) cleanups.push(() => container.stop());
    const [victim, survivor] = containers as [ContainerProcess, ContainerProcess];

    const logger = createLogger('silent');
    const lb = startLoadBalancer({
      port: 0,
      hostname: '127.0.0.1',
      containerUrls: containers.map((container) => container.url),
      healthCheckIntervalMs: HEALTH_CHECK_MS,
      lambda: createDeleteHandler(
        new ItemService(new DynamoItemRepository(client, 'picus_data')),
        logger,
        createAuthorizer({ mode: 'none' }),
      ),
      logger,
    });
    cleanups.push(() => lb.drain(1000));
    const base = `http://127.0.0.1:${lb.server.port}`;

    const acknowledged = new Map<string, unknown>();
    const failures: string[] = [];
    const counts = { requests: 0, slow: 0, slowInFlightAtSigterm: 0 };
    let inFlight = 0;
    let slowInFlight = 0;
    let running = true;

    const call = async (what: string, expected: number, request: () => Promise<Response>) => {
      inFlight++;
      counts.requests++;
      try {
        const response = await request();
        const body = await response.text();
        if (response.status !== expected) failures.push(`${what}: ${response.status} ${body.slice(0, 200)}`);
        return response.status === expected ? body : undefined;
      } catch (error) {
        failures.push(`${what}: ${String(error)}`);
        return undefined;
      } finally {
        inFlight--;
      }
    };
    const put = async (data: unknown, body: string | ReadableStream<Uint8Array>, label = 'put') => {
      const text = await call(label, 201, () =>
        fetch(`${base}/picus/put`, { method: 'POST', headers: json, body }),
      );
      if (text !== undefined) acknowledged.set(PutItemResponse.parse(JSON.parse(text)).object_id, data);
    };

    const worker = async (id: number) => {
      for (let i = 0; running; i++) {
        switch (i % 4) {
          case 0:
            await call('health', 200, () => fetch(`${base}/health`));
            break;
          case 2: {
            const ids = [...acknowledged.keys()];
            const key = ids[Math.floor(Math.random() * ids.length)];
            if (key) await call('get', 200, () => fetch(`${base}/picus/get/${key}`));
            break;
          }
          default: {
            const data = { worker: id, i };
            await put(data, JSON.stringify(data));
          }
        }
      }
    };
    const slowUploader = async () => {
      while (running) {
        slowInFlight++;
        try {
          await put(undefined, slowBody(20, 2500), 'slow put');
          counts.slow++;
        } finally {
          slowInFlight--;
        }
      }
    };

    const load = Promise.all([
      ...Array.from({ length: WORKERS }, (_, id) => worker(id)),
      ...Array.from({ length: SLOW_UPLOADERS }, () => slowUploader()),
    ]);
    await Bun.sleep(1000);
    // One upload straight to the victim, still arriving when its listener closes (after the notice).
    const direct = (async () => {
      const response = await fetch(`${victim.url}/picus/put`, {
        method: 'POST',
        headers: json,
        body: slowBody(20, NOTICE_MS + 1500),
      });
      return { status: response.status, body: await response.text(), at: performance.now() };
    })();
    await Bun.sleep(200);

    const inFlightAtSigterm = inFlight;
    counts.slowInFlightAtSigterm = slowInFlight;
    const requestsBefore = counts.requests;
    const sigtermAt = performance.now();
    victim.process.kill('SIGTERM');
    const exitCode = await Promise.race([victim.process.exited, Bun.sleep(DRAIN_BUDGET_MS + 2000)]);
    const drainMs = performance.now() - sigtermAt;
    const straight = await direct;
    if (straight.status === 201)
      acknowledged.set(PutItemResponse.parse(JSON.parse(straight.body)).object_id, undefined);
    await Bun.sleep(800); // keep loading on the survivor alone
    running = false;
    await load;

    console.log(
      `graceful shutdown: ${counts.requests} requests (${requestsBefore} before SIGTERM) from ` +
        `${WORKERS} workers + ${SLOW_UPLOADERS} slow uploaders, ${counts.slow} slow uploads; ` +
        `in flight at SIGTERM: ${inFlightAtSigterm} (${counts.slowInFlightAtSigterm} slow); ` +
        `direct upload to the victim: ${straight.status} after ${Math.round(straight.at - sigtermAt)} ms; ` +
        `exit code ${exitCode} after ${Math.round(drainMs)} ms (notice ${NOTICE_MS} ms, budget ${DRAIN_BUDGET_MS} ms); ` +
        `${failures.length} failed${failures.length ? `: ${failures.slice(0, 5).join(' | ')}` : ''}`,
    );
    expect(failures).toEqual([]);
    expect(straight.status).toBe(201);
    // It ended after the listener closed, and the process waited for it.
    expect(straight.at - sigtermAt).toBeGreaterThan(NOTICE_MS);
    expect(exitCode).toBe(0);
    expect(drainMs).toBeLessThan(DRAIN_BUDGET_MS);
    expect(counts.requests - requestsBefore).toBeGreaterThan(0);
    expect(inFlightAtSigterm).toBeGreaterThan(0);

    // Every acknowledged put, written through either container, reads back through the survivor.
    expect((await fetch(`${survivor.url}/ready`)).status).toBe(200);
    const missing: string[] = [];
    const ids = [...acknowledged.entries()];
    for (let i = 0; i < ids.length; i += 32) {
      await Promise.all(
        ids.slice(i, i + 32).map(async ([id, data]) => {
          const response = await fetch(`${base}/picus/get/${id}`);
          if (response.status !== 200) missing.push(id);
          else if (data !== undefined)
            expect(Item.parse(await response.json()).data).toEqual(data as Record<string, unknown>);
          else await response.arrayBuffer();
        }),
      );
    }
    console.log(`graceful shutdown: ${ids.length} acknowledged puts, ${missing.length} missing`);
    expect(missing).toEqual([]);
  }, 30_000);
});
