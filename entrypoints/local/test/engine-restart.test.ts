import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Item, PutItemResponse } from '../../../contracts/item.ts';
import { DEFAULT_RESTART_POLICY } from '../engine-supervisor.ts';
import {
  childProcesses,
  enginePid,
  type RunningStack,
  startStack,
  stopStack,
  tokenFrom,
} from './stack-process.ts';

/**
 * Issue 15, item 12: when the embedded DynamoDB died (kill -9 under load), /ready stayed 503
 * for good, nothing was logged, and the stack neither restarted it nor exited.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'picus-engine-restart-'));
  dirs.push(dir);
  return dir;
}

/** Pids of the engines the stack has logged as restarted, in order. */
function restartedPids(stack: RunningStack): number[] {
  return [...stack.output().matchAll(/"message":"embedded DynamoDB restarted","pid":(\d+)/g)].map((match) =>
    Number(match[1]),
  );
}

/** Waits (bounded, generous for a loaded machine) for the stack's `nth` restart; the new engine's pid. */
async function restartedEngine(stack: RunningStack, nth: number): Promise<number> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const pid = restartedPids(stack)[nth - 1];
    if (pid !== undefined) return pid;
    await Bun.sleep(50);
  }
  throw new Error(
    `no restart ${nth} within 30 s; children ${JSON.stringify(childProcesses(stack.process.pid))}; ` +
      `exit ${stack.process.exitCode}; output:\n${stack.output()}\nstderr:\n${stack.errors()}`,
  );
}

describe('the embedded DynamoDB dies', () => {
  test('kill -9 under load: logged, restarted on the same endpoint, /ready recovers, no acknowledged write lost', async () => {
    const stack = await startStack(freshDir());
    try {
      const headers = {
        'content-type': 'application/json',
        authorization: `Bearer ${await tokenFrom(stack.base)}`,
      };
      const acknowledged = new Map<string, Record<string, unknown>>();
      const statuses = new Map<number, number>();
      const failures: string[] = [];
      let running = true;
      const writer = async (worker: number) => {
        for (let n = 0; running; n++) {
          const data = { worker, n };
          try {
            const response = await fetch(`${stack.base}/picus/put`, {
              method: 'POST',
              headers,
              body: JSON.stringify(data),
            });
            statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
            const body = await response.text();
            if (response.status === 201)
              acknowledged.set(PutItemResponse.parse(JSON.parse(body)).object_id, data);
            // While the engine is down a put may only be refused as unavailable, and say when to retry.
            else if (response.status !== 503 || response.headers.get('retry-after') === null) {
              failures.push(`${response.status} ${body.slice(0, 200)}`);
            }
          } catch (error) {
            failures.push(String(error));
          }
        }
      };
      const load = Promise.all([0, 1, 2, 3].map(writer));
      await Bun.sleep(500);

      const first = enginePid(stack.process.pid) as number;
      expect(first).toBeDefined();
      const killedAt = performance.now();
      process.kill(first, 'SIGKILL');
      const second = await restartedEngine(stack, 1);
      expect(enginePid(stack.process.pid)).toBe(second);
      // Ready again once the new engine answers (the container's own check of the table).
      let readyAfterMs = Number.NaN;
      for (let i = 0; i < 600; i++) {
        if ((await fetch(`${stack.base}/ready`)).status === 200) {
          readyAfterMs = performance.now() - killedAt;
          break;
        }
        await Bun.sleep(50);
      }
      await Bun.sleep(500); // writes through the new engine
      running = false;
      await load;

      expect(stack.output()).toContain('"message":"embedded DynamoDB exited unexpectedly"');
      expect(stack.output()).toContain('"signal":"SIGKILL"');
      expect(Number.isNaN(readyAfterMs)).toBe(false);
      expect(failures).toEqual([]);

      // Every put that was answered 201, before, during and after the crash, is there.
      const auth = { authorization: headers.authorization };
      const missing: string[] = [];
      for (const [id, data] of acknowledged) {
        const response = await fetch(`${stack.base}/picus/get/${id}`, { headers: auth });
        if (response.status !== 200) missing.push(`${id}: ${response.status}`);
        else expect(Item.parse(await response.json()).data).toEqual(data);
      }
      console.log(
        `engine kill -9 under load: pid ${first} -> ${second}, /ready 200 again after ${Math.round(readyAfterMs)} ms; ` +
          `puts by status ${JSON.stringify(Object.fromEntries(statuses))}; ` +
          `${acknowledged.size} acknowledged, ${missing.length} missing`,
      );
      expect(acknowledged.size).toBeGreaterThan(0);
      expect(missing).toEqual([]);
    } finally {
      expect(await stopStack(stack)).toBe(0);
    }
  }, 90_000);

  test('dying more often than the bound: the stack says so and exits 1', async () => {
    const stack = await startStack(freshDir());
    let pid = enginePid(stack.process.pid) as number;
    expect(pid).toBeDefined();
    const deaths = DEFAULT_RESTART_POLICY.maxRestarts + 1;
    for (let death = 1; death <= deaths; death++) {
      process.kill(pid, 'SIGKILL');
      if (death < deaths) pid = await restartedEngine(stack, death);
    }
    const code = await Promise.race([stack.process.exited, Bun.sleep(60_000).then(() => 'still running')]);
    const errors = stack.errors();
    console.log(`engine killed ${deaths} times: stack exit ${code}; stderr: ${errors.trim()}`);
    if (code === 'still running') stack.process.kill('SIGKILL');
    expect(code).toBe(1);
    expect(errors).toContain(
      `picus local stack: the embedded DynamoDB died ${deaths} times within ` +
        `${DEFAULT_RESTART_POLICY.windowMs / 1000} s (last: killed by SIGKILL); giving up; stopping the stack`,
    );
  }, 120_000);
});
