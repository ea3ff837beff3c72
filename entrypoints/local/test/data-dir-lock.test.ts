import { afterAll, describe, expect, test } from 'bun:test';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemResponse } from '../../../contracts/item.ts';
import { STACK_READY_LINE } from '../stack-banner.ts';
import {
  childProcesses,
  enginePid,
  runStackToExit,
  startStack,
  stopStack,
  tokenFrom,
} from './stack-process.ts';

/**
 * Issue 15, item 11: a second stack on the same data directory printed dynalite's
 * `Database is closed` trace. It must say who holds the directory and what to do.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'picus-data-dir-lock-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Waits (bounded) until a process is gone; true when it is. */
async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (performance.now() < deadline) {
    if (!existsSync(`/proc/${pid}`)) return true;
    await Bun.sleep(50);
  }
  return !existsSync(`/proc/${pid}`);
}

describe('one stack per data directory', () => {
  test('a second stack on the same DATA_DIR names the first one (pid) and exits 1; the first keeps serving', async () => {
    const first = await startStack(dataDir);
    try {
      const second = await runStackToExit(dataDir, {});
      console.log(`second stack on the same DATA_DIR: exit ${second.code}; stderr: ${second.stderr.trim()}`);
      expect(second.code).toBe(1);
      expect(second.stderr.trim()).toBe(
        `picus local stack: ${dataDir}/ is in use by another picus stack (pid ${first.process.pid}); ` +
          'stop it or set DATA_DIR',
      );
      expect(second.stdout).not.toContain(STACK_READY_LINE);
      expect(`${second.stdout}${second.stderr}`).not.toContain('Database is closed');

      // The first stack never noticed.
      expect((await fetch(`${first.base}/ready`)).status).toBe(200);
      const put = await fetch(`${first.base}/picus/put`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await tokenFrom(first.base)}`,
        },
        body: '{"still":"here"}',
      });
      expect(put.status).toBe(201);
      PutItemResponse.parse(await put.json());
    } finally {
      expect(await stopStack(first)).toBe(0);
    }
  }, 60_000);

  test('a stack killed with SIGKILL leaves no engine or container behind, so the directory is free again', async () => {
    const killed = await startStack(dataDir);
    const engine = enginePid(killed.process.pid);
    const container = childProcesses(killed.process.pid).find((child) =>
      child.cmdline.includes(join('entrypoints', 'http', 'main.ts')),
    )?.pid;
    expect(engine).toBeDefined();
    expect(container).toBeDefined();
    killed.process.kill('SIGKILL');
    await killed.process.exited;
    // Each child sees its parent's end of a pipe close (stdin, the IPC channel) and exits.
    expect(await gone(engine as number, 15_000)).toBe(true);
    expect(await gone(container as number, 15_000)).toBe(true);

    const next = await startStack(dataDir);
    expect(await stopStack(next)).toBe(0);
  }, 60_000);
});
