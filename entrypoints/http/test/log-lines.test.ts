import { expect, test } from 'bun:test';
import { join } from 'node:path';
import { spawn } from 'bun';

const MAIN = join(import.meta.dir, '..', 'main.ts');
const REQUESTS = 3_000;
const CONCURRENCY = 32;

/**
 * The container's log lines leave in batches (entrypoints/shared/buffered-lines.ts): under load,
 * with stdout a pipe whose reader is slow for a while, every request still writes exactly one
 * whole line, none split or interleaved, and the lines still waiting at SIGTERM are written
 * before the process exits.
 */
test('N requests under load write N whole log lines, a slow reader and SIGTERM included', async () => {
  let announce: (port: number) => void = () => {};
  const listening = new Promise<number>((resolve) => {
    announce = resolve;
  });
  const child = spawn([process.execPath, MAIN], {
    env: {
      ...process.env,
      PORT_APP: '0',
      HOST: '127.0.0.1',
      PICUS_STORE: 'memory',
      AUTH_MODE: 'none',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '2000',
    },
    stdout: 'pipe',
    stderr: 'inherit',
    ipc(message) {
      const { type, port } = message as { type?: string; port?: number };
      if (type === 'listening' && typeof port === 'number') announce(port);
    },
  });
  // A reader that stalls for the first second (the pipe fills, the writer must wait), then drains.
  const chunks: Uint8Array[] = [];
  const reading = (async () => {
    const reader = child.stdout.getReader();
    const slowUntil = performance.now() + 1_000;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      chunks.push(value);
      if (performance.now() < slowUntil) await Bun.sleep(100);
    }
  })();
  const port = await listening;
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const i = next++;
      const path = i % 3 === 0 ? '/picus/get/missing' : '/health';
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: { 'x-request-id': `req-${i}` },
      });
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  child.kill('SIGTERM');
  expect(await child.exited).toBe(0);
  await reading;

  const text = Buffer.concat(chunks).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  const ids: string[] = [];
  for (const line of lines) {
    const entry = JSON.parse(line) as { request_id?: string; message?: string };
    if (entry.request_id?.startsWith('req-')) ids.push(entry.request_id);
  }
  expect(ids.length).toBe(REQUESTS);
  expect(new Set(ids).size).toBe(REQUESTS);
  // The shutdown's own lines come last, after every request's.
  expect(JSON.parse(lines.at(-1) as string).message).toBe('stopped');
}, 60_000);
