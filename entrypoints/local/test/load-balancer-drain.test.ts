import { afterAll, beforeAll, expect, test } from 'bun:test';
import { connect, type Socket } from 'node:net';
import { type InProcessStack, startInProcessStack } from '../../test/in-process-stack.ts';

/**
 * The local load balancer drains as the container does: through the notice phase every
 * response says `Connection: close`, so keep-alive clients leave their sockets before the
 * listener closes and no kept-alive connection is reset under a request. After the listener
 * closes a new connection is refused: that ends a worker, and is not a failure.
 */
const WORKERS = 16;
const NOTICE_MS = 1_000;
let stack: InProcessStack;
beforeAll(() => {
  stack = startInProcessStack();
});
afterAll(() => stack.stop());

/** The outcome of one request on a raw keep-alive connection, as wrk sends them. */
type Outcome = { kind: 'response'; status: number; close: boolean } | { kind: 'reset'; detail: string };

/**
 * One HTTP/1.1 connection that sends a request, reads the whole response, and sends the next on
 * the same socket unless told `Connection: close` (Bun's fetch silently retries a request whose
 * pooled socket was closed, so it cannot show the resets this is about).
 */
class KeepAliveConnection {
  readonly #socket: Socket;
  #buffer = '';
  /** Complete responses received on this connection. */
  served = 0;
  #waiting: ((outcome: Outcome) => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#deliver();
    });
    const lost = (detail: string) => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.({ kind: 'reset', detail });
    };
    socket.on('error', (error) => lost(String(error)));
    socket.on('close', () => lost('closed before a complete response'));
  }

  /** A connection, or undefined when the listener refuses it (the balancer has stopped). */
  static open(port: number): Promise<KeepAliveConnection | undefined> {
    return new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(new KeepAliveConnection(socket)));
      socket.once('error', () => resolve(undefined));
    });
  }

  request(path: string): Promise<Outcome> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      this.#socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #deliver(): void {
    const end = this.#buffer.indexOf('\r\n\r\n');
    if (end < 0 || this.#waiting === undefined) return;
    const head = this.#buffer.slice(0, end).toLowerCase();
    const length = Number(/\r\ncontent-length: *(\d+)/.exec(head)?.[1] ?? 0);
    if (this.#buffer.length < end + 4 + length) return;
    this.#buffer = this.#buffer.slice(end + 4 + length);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    this.served++;
    waiting({
      kind: 'response',
      status: Number(head.slice(9, 12)),
      close: /\r\nconnection: *close/.test(head),
    });
  }
}

test('drain under keep-alive load: Connection: close during the notice, no request reset', async () => {
  const { lb } = stack;
  const port = lb.server.port as number;
  const failures: string[] = [];
  let ok = 0;
  let closeNotices = 0;
  let stopped = false;
  const worker = async () => {
    let connection = await KeepAliveConnection.open(port);
    while (!stopped && connection !== undefined) {
      const outcome = await connection.request('/health');
      if (outcome.kind === 'reset') {
        // On a kept-alive connection this is the failure the notice prevents. On a connection
        // that never answered, the listener closed as it was accepted: nothing was served, and
        // a client may retry on a new connection (RFC 9112 §9.3.1), which the closed listener refuses.
        if (connection.served > 0) failures.push(outcome.detail);
        connection.close();
        connection = await KeepAliveConnection.open(port);
        continue;
      }
      if (outcome.status === 200) ok++;
      else failures.push(`status ${outcome.status}`);
      if (outcome.close) {
        closeNotices++;
        connection.close();
        connection = await KeepAliveConnection.open(port);
      }
    }
    connection?.close();
  };
  const workers = Array.from({ length: WORKERS }, worker);
  await Bun.sleep(300);
  const okBefore = ok;
  const clean = await lb.drain(5_000, { noticeMs: NOTICE_MS });
  stopped = true;
  await Promise.all(workers);
  expect(okBefore).toBeGreaterThan(0);
  expect(clean).toBe(true);
  expect(closeNotices).toBeGreaterThan(0);
  expect(failures).toEqual([]);
}, 20_000);
