import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'bun';
import { freePort } from '../free-port.ts';
import { waitForStackReady } from '../stack-banner.ts';

/**
 * Issue 15, item 17: Ctrl-C under `npx bun run dev` ended with status 130, where the README
 * promised 0. A terminal's Ctrl-C sends SIGINT to the whole foreground process group, so
 * each command runs in a session of its own (setsid) and gets SIGINT on its group.
 *
 * What happens under npx (traced with strace): the stack stops cleanly and exits 0, and so
 * does `bun run`. But npm runs `bun` through `sh -c`, and forwards the SIGINT to that shell,
 * which the terminal already signalled; after its child exits 0, dash ends itself by SIGINT,
 * and npm re-raises the signal on itself: status 130. Nothing in the stack's process tree
 * can change that, so the README says so; these tests keep that statement true.
 */
const ROOT = join(import.meta.dir, '..', '..', '..');
const SETSID = Bun.which('setsid');
const NPX = Bun.which('npx');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

if (!SETSID)
  console.warn('ctrl-c.test.ts: skipped, no setsid(1) (util-linux) to give a command its own process group');
if (!NPX) console.warn('ctrl-c.test.ts: the npx case skipped, no npx on PATH');

interface CtrlC {
  /** Exit status as a shell reports it: the code, or 128 + the signal that ended it. */
  readonly status: number;
  readonly stdout: string;
}

/** Runs `command` in its own session like a terminal's foreground job, then "presses Ctrl-C". */
async function pressCtrlC(command: string[]): Promise<CtrlC> {
  const dataDir = mkdtempSync(join(tmpdir(), 'picus-ctrl-c-'));
  dirs.push(dataDir);
  const child = spawn([SETSID as string, ...command], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(await freePort()), DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'inherit',
  });
  let stdout = '';
  stdout = await waitForStackReady(child.stdout, 60_000, (chunk) => {
    stdout += chunk;
  });
  // setsid(1) does not fork when its caller is no group leader: the child leads its own group.
  const pgid = Number(readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[2]);
  expect(pgid).toBe(child.pid);
  process.kill(-pgid, 'SIGINT');
  const timer = setTimeout(() => process.kill(-pgid, 'SIGKILL'), 60_000);
  await child.exited;
  clearTimeout(timer);
  await Bun.sleep(100); // the last of stdout
  const signals: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGKILL: 9 };
  const status = child.signalCode ? 128 + (signals[child.signalCode] ?? 0) : (child.exitCode as number);
  return { status, stdout };
}

describe('Ctrl-C', () => {
  test.skipIf(!SETSID)(
    'bun run dev: the stack stops cleanly and exits 0',
    async () => {
      const run = await pressCtrlC([process.execPath, 'run', 'dev']);
      expect(run.stdout).toContain('"message":"local stack stopped","code":0');
      expect(run.status).toBe(0);
    },
    90_000,
  );

  test.skipIf(!SETSID || !NPX)(
    'npx bun run dev: the stack exits 0, and npm reports 130 (its shell ends by SIGINT)',
    async () => {
      const run = await pressCtrlC([NPX as string, 'bun', 'run', 'dev']);
      console.log(`npx bun run dev, Ctrl-C: status ${run.status}`);
      expect(run.stdout).toContain('"message":"local stack stopped","code":0');
      // When this fails with 0, npm stopped doing this: update the README (Local stack).
      expect(run.status).toBe(130);
    },
    90_000,
  );
});
