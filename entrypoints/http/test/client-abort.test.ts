import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { connect } from 'node:net';
import { type InProcessStack, startInProcessStack } from '../../test/in-process-stack.ts';

/** A client that starts an upload and leaves: its request is logged as 499 at warn, never as a 5xx. */
let stack: InProcessStack;
beforeAll(() => {
  stack = startInProcessStack();
});
afterAll(() => stack.stop());

/** Sends headers promising 64 KiB and a few bytes of it, then closes the socket. */
async function abandonUpload(
  port: number,
  requestId: string,
  path = '/picus/put',
  method = 'POST',
): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n` +
      `x-request-id: ${requestId}\r\nContent-Length: 65536\r\n\r\n{"a":`,
  );
  await Bun.sleep(20);
  socket.destroy();
}

interface LogLine {
  level: string;
  status?: number;
  request_id?: string;
  message?: string;
}

async function linesFor(requestIds: readonly string[]): Promise<LogLine[]> {
  const wanted = new Set(requestIds);
  const parsed = () =>
    stack.lines
      .map((line) => JSON.parse(line) as LogLine)
      .filter((line) => wanted.has(line.request_id ?? ''));
  for (let waited = 0; parsed().length < requestIds.length && waited < 5_000; waited += 20)
    await Bun.sleep(20);
  return parsed();
}

describe('a client that abandons its upload', () => {
  test('the container logs each as 499 at warn; no error line, nothing stored', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `abandoned-container-${i}`);
    await Promise.all(ids.map((id) => abandonUpload(stack.container.server.port as number, id)));
    const logged = await linesFor(ids);
    expect(logged).toHaveLength(ids.length);
    for (const line of logged) expect(line).toMatchObject({ level: 'warn', status: 499 });
    expect(stack.lines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
    expect(stack.repository.size).toBe(0);
  });

  test('the local load balancer logs it at warn as 499 too (not a target failure)', async () => {
    const ids = ['abandoned-lb-put', 'abandoned-lb-delete'];
    await abandonUpload(stack.lb.server.port as number, ids[0] as string);
    await abandonUpload(stack.lb.server.port as number, ids[1] as string, '/picus/some-key', 'DELETE');
    const logged = await linesFor(ids);
    expect(logged.length).toBeGreaterThanOrEqual(ids.length);
    for (const line of logged) expect(line).toMatchObject({ level: 'warn', status: 499 });
    expect(stack.lines.filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});
