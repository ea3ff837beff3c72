import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { once } from 'node:events';
import { connect } from 'node:net';
import { Problem } from '../../../contracts/problem.ts';
import { PROBLEM_CONTENT_TYPE } from '../../../contracts/problem-kinds.ts';
import { createApp } from '../../http/app.ts';
import { serveApp } from '../../http/server.ts';
import { createDeleteHandler } from '../../lambda/delete-handler.ts';
import { createAuthorizer } from '../../shared/auth/authorizer.ts';
import { createLogger } from '../../shared/logger.ts';
import { type InProcessStack, startInProcessStack } from '../../test/in-process-stack.ts';
import { rawRequest } from '../../test/raw-http.ts';
import { startLoadBalancer } from '../load-balancer.ts';
import type { LocalIssuer } from '../oauth-issuer.ts';

/**
 * Requests no well-behaved client sends, against every server we run: each answer is ours
 * (problem+json, a request id, a log line), never Bun's development error page.
 */
let stack: InProcessStack;
beforeAll(() => {
  stack = startInProcessStack();
});
afterAll(() => stack.stop());
/** The stack's log, for the servers a test builds beside it. */
const logger = createLogger('info', (line) => stack.lines.push(line));
const auth = createAuthorizer({ mode: 'none' });

function expectOurProblem(response: Awaited<ReturnType<typeof rawRequest>>, status: number): Problem {
  expect(response.status, response.text.slice(0, 300)).toBe(status);
  expect(response.headers['content-type']).toBe(PROBLEM_CONTENT_TYPE);
  expect(response.headers['x-request-id']).toBeTruthy();
  expect(response.body).not.toMatch(/<html|<!doctype|\/work\/|node_modules|\bat \S+:\d+/i);
  const problem = Problem.parse(JSON.parse(response.body));
  expect(problem.request_id).toBe(response.headers['x-request-id'] as string);
  return problem;
}

describe('the local load balancer and a bad Host', () => {
  test.each([
    ['a space', 'GET /health HTTP/1.1\r\nHost: a b\r\n\r\n'],
    ['userinfo', 'GET /health HTTP/1.1\r\nHost: a@b\r\n\r\n'],
    ['a fragment', 'GET /health HTTP/1.1\r\nHost: x#y\r\n\r\n'],
    ['a query', 'GET /health HTTP/1.1\r\nHost: x?y\r\n\r\n'],
    ['an escaped NUL', 'GET /health HTTP/1.1\r\nHost: a%00b\r\n\r\n'],
    ['no Host (HTTP/1.0)', 'GET /health HTTP/1.0\r\n\r\n'],
    ['CONNECT with a bad Host', 'CONNECT /health HTTP/1.1\r\nHost: a b\r\n\r\n'],
  ])('%s: 400 problem+json with a request id, and a log line', async (_what, request) => {
    const before = stack.lines.length;
    const problem = expectOurProblem(await rawRequest(stack.lb.server.port as number, request), 400);
    expect(problem.detail).toBe('The Host header is missing or not a valid host.');
    const logged = stack.lines
      .slice(before)
      .map((line) => JSON.parse(line) as { status?: number; request_id?: string });
    expect(logged).toContainEqual(expect.objectContaining({ status: 400, request_id: problem.request_id }));
  });

  test('a good Host with a port still routes', async () => {
    const response = await rawRequest(
      stack.lb.server.port as number,
      'GET /health HTTP/1.1\r\nHost: localhost:8080\r\n\r\n',
    );
    expect(response.status).toBe(200);
  });
});

describe('the container and a missing or bad Host', () => {
  test.each([
    ['DELETE without Host (HTTP/1.0)', 'DELETE /picus/x HTTP/1.0\r\n\r\n', 404],
    ['PATCH with an empty Host', 'PATCH /picus/get/x HTTP/1.1\r\nHost:\r\nContent-Length: 0\r\n\r\n', 405],
    ['GET without Host (HTTP/1.0)', 'GET /nowhere HTTP/1.0\r\n\r\n', 404],
  ])(
    '%s: answered as any other request (the path does not depend on Host)',
    async (_what, request, status) => {
      expectOurProblem(await rawRequest(stack.container.server.port as number, request), status);
    },
  );
});

describe('a failure that escapes every handler', () => {
  test('in the container: a problem+json 500 with a request id, logged, no source', async () => {
    // The envelope catches what the app throws; its own access-log write is past every handler.
    const failingLog = {
      ...logger,
      request: () => {
        throw new Error('log sink failed');
      },
    };
    const broken = serveApp(createApp({ service: stack.service, auth }), {
      port: 0,
      hostname: '127.0.0.1',
      logger: failingLog,
    });
    try {
      const before = stack.lines.length;
      const problem = expectOurProblem(
        await rawRequest(broken.server.port as number, 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n'),
        500,
      );
      expect(stack.lines.slice(before).join('\n')).toContain(problem.request_id);
    } finally {
      await broken.server.stop(true);
    }
  });

  test('in the load balancer: the same', async () => {
    const failingIssuer = {
      handle: () => {
        throw new Error('boom');
      },
    } as unknown as LocalIssuer;
    const broken = startLoadBalancer({
      port: 0,
      hostname: '127.0.0.1',
      containerUrl: `http://127.0.0.1:${stack.container.server.port}`,
      lambda: createDeleteHandler(stack.service, logger, auth),
      logger,
      issuer: failingIssuer,
    });
    try {
      expectOurProblem(
        await rawRequest(broken.server.port as number, 'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n'),
        500,
      );
    } finally {
      await broken.stop();
    }
  });
});

/** Streams `totalBytes` of chunked body, honouring backpressure, until the server answers or stops reading. */
async function streamChunked(
  port: number,
  head: string,
  totalBytes: number,
): Promise<{ answer: string; sent: number }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let answer = '';
  socket.on('data', (chunk) => {
    answer += chunk.toString('latin1');
  });
  socket.on('error', () => {});
  socket.write(`${head}Transfer-Encoding: chunked\r\n\r\n`);
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  let sent = 0;
  while (sent < totalBytes && answer === '' && !socket.destroyed) {
    const flowing =
      socket.write(`${chunk.byteLength.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n');
    sent += chunk.byteLength;
    if (!flowing) {
      const drained = await Promise.race([
        once(socket, 'drain').then(
          () => true,
          () => false, // the server closed the connection: it has answered, or never will
        ),
        Bun.sleep(2_000).then(() => false),
      ]);
      if (!drained) break;
    }
  }
  for (let waited = 0; answer === '' && waited < 3_000; waited += 20) await Bun.sleep(20);
  socket.destroy();
  return { answer, sent };
}

describe('bodies over a limit are refused by us, before they are buffered', () => {
  test('the container: a streamed body over 256 KiB is our 413 problem+json, not Bun’s', async () => {
    const { answer } = await streamChunked(
      stack.container.server.port as number,
      'POST /picus/put HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n',
      4 * 1024 * 1024,
    );
    expect(answer).toStartWith('HTTP/1.1 413');
    expect(answer).toContain(PROBLEM_CONTENT_TYPE);
    expect(answer.toLowerCase()).toContain('x-request-id:');
  });

  test('the load balancer: a DELETE body over the ALB’s 1 MiB Lambda limit is 413, declared or streamed', async () => {
    const declared = await rawRequest(
      stack.lb.server.port as number,
      'DELETE /picus/x HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2000000\r\n\r\n',
    );
    expect(expectOurProblem(declared, 413).detail).toBe(
      'The load balancer sends a Lambda function at most 1048576 bytes of body.',
    );
    Bun.gc(true);
    const before = process.memoryUsage.rss();
    const { answer, sent } = await streamChunked(
      stack.lb.server.port as number,
      'DELETE /picus/x HTTP/1.1\r\nHost: localhost\r\n',
      100 * 1024 * 1024,
    );
    expect(answer).toStartWith('HTTP/1.1 413');
    expect(sent).toBeLessThan(100 * 1024 * 1024);
    Bun.gc(true);
    // It stopped reading at the limit: nothing like the 100 MB it was offered is held.
    expect(process.memoryUsage.rss() - before).toBeLessThan(48 * 1024 * 1024);
  });
});

/**
 * What Bun's HTTP parser answers before any handler of ours runs (README, "Bun's own replies"):
 * a bare status, `Connection: close`, no request id and no problem body. This pins the list the
 * README gives; a Bun upgrade that changes it fails here.
 */
describe("Bun's own replies, documented", () => {
  test.each([
    ['a request line that is not HTTP', 'HELLO\r\n\r\n', 400],
    ['a header name with a space', 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n', 400],
    [
      'Content-Length with Transfer-Encoding',
      'POST /picus/put HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ],
    [
      'a malformed chunk size',
      'POST /picus/put HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n',
      400,
    ],
    ['an unsupported HTTP version', 'GET /health HTTP/2.5\r\nHost: x\r\n\r\n', 505],
    ['bare LF line endings', 'GET /health HTTP/1.1\nHost: x\n\n', 505],
    [
      'a header block over the limit',
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${'z'.repeat(70 * 1024)}\r\n\r\n`,
      431,
    ],
    ['a lowercase method (the connection is closed, no reply)', 'get /health HTTP/1.1\r\nHost: x\r\n\r\n', 0],
    ['an unknown method (the connection is closed, no reply)', 'FOO /health HTTP/1.1\r\nHost: x\r\n\r\n', 0],
  ])('%s', async (_what, request, status) => {
    const response = await rawRequest(stack.container.server.port as number, request, 1_500);
    expect(response.status).toBe(status);
    expect(response.headers['x-request-id']).toBeUndefined();
  });
});

describe('HTTP/1.1 pipelining through the local load balancer', () => {
  test('is refused: nothing forwarded (a pipelined POST stores nothing), the connection closed, a warn line', async () => {
    const before = stack.lines.length;
    const stored = (await stack.service.list(1000)).items.length;
    const body = '{"pipelined":true}';
    const response = await rawRequest(
      stack.lb.server.port as number,
      `POST /picus/put HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
        'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n',
      1_000,
    );
    expect(response.status).toBe(0);
    await Bun.sleep(100);
    expect((await stack.service.list(1000)).items.length).toBe(stored);
    const logged = stack.lines
      .slice(before)
      .map((line) => JSON.parse(line) as { level: string; status?: number });
    expect(logged).toContainEqual(expect.objectContaining({ level: 'warn', status: 499 }));
  });
});
