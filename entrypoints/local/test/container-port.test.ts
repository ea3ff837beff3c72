import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STACK_READY_LINE } from '../stack-banner.ts';
import { childProcesses, runStackToExit, startStack, stopStack } from './stack-process.ts';

/**
 * Issue 15, item 10: with only PORT set, the container took PORT_APP 8000; when something
 * else answered /health there, the banner said "up" pointing at that foreign server, then
 * the real container died with a raw EADDRINUSE trace.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'picus-container-port-'));
const foreign: Array<{ stop(force: boolean): unknown }> = [];
afterAll(() => {
  for (const server of foreign) server.stop(true);
  rmSync(dataDir, { recursive: true, force: true });
});

/** Another program on a port, answering /health exactly as the container app would. */
function foreignHealthServer(): { port: number; hits: () => number } {
  let hits = 0;
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: () => {
      hits++;
      return Response.json({ status: 'ok' });
    },
  });
  foreign.push(server);
  return { port: server.port as number, hits: () => hits };
}

describe('the container port', () => {
  test('without PORT_APP the container binds a free port of its own, and the banner names it', async () => {
    const stack = await startStack(dataDir);
    try {
      const match = /container app\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(stack.output());
      expect(match).not.toBeNull();
      const port = Number(match?.[1]);
      // 8000 is PORT_APP's default as the ECS task uses it; locally it may belong to anything.
      expect(port).not.toBe(8000);
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
      // The port is held by the container process the stack started, not by anything else.
      const container = childProcesses(stack.process.pid).find((child) =>
        child.cmdline.includes(join('entrypoints', 'http', 'main.ts')),
      );
      expect(container).toBeDefined();
      expect(listeningPortsOf(container?.pid as number)).toContain(port);
    } finally {
      expect(await stopStack(stack)).toBe(0);
    }
  });

  test('PORT_APP held by another server that answers /health: one line naming PORT_APP, exit 1, never "up"', async () => {
    const other = foreignHealthServer();
    const run = await runStackToExit(dataDir, { PORT_APP: String(other.port) });
    console.log(`PORT_APP taken: exit ${run.code}; stderr: ${run.stderr.trim()}`);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('local stack is up');
    expect(run.stdout).not.toContain(STACK_READY_LINE);
    // The container says which variable and port; the stack says the container did not start.
    expect(run.stdout).toContain(
      `PORT_APP ${other.port} is in use by another process; stop it or set PORT_APP`,
    );
    expect(run.stderr).toContain('picus local stack: the container app exited with code 1 while starting');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/EADDRINUSE|\n\s+at /);
    // The stack never took the foreign server for its container.
    expect(other.hits()).toBe(0);
  });

  test('PORT held by another server: one line naming PORT, exit 1', async () => {
    const other = foreignHealthServer();
    const run = await runStackToExit(dataDir, { PORT: String(other.port), PICUS_STORE: 'memory' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      `picus local stack: PORT ${other.port} is in use by another process; stop it or set PORT`,
    );
    expect(run.stdout).not.toContain(STACK_READY_LINE);
  });
});

/** TCP ports a process listens on, from its socket inodes and /proc/net/tcp{,6} (Linux). */
function listeningPortsOf(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1] as string);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // local_address is field 1 (ADDR:PORT in hex), st is field 3 (0A = LISTEN), inode field 9.
      if (fields[3] === '0A' && inodes.has(fields[9] as string)) {
        ports.push(Number.parseInt((fields[1] as string).split(':')[1] as string, 16));
      }
    }
  }
  return ports;
}
