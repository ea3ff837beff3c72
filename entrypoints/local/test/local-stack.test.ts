import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Subprocess, spawn } from 'bun';
import { TokenResponse } from '../../../contracts/auth.ts';
import { DeleteItemResponse, Item, PutItemResponse } from '../../../contracts/item.ts';
import { Problem } from '../../../contracts/problem.ts';
import { freePort } from '../free-port.ts';
import { LOCAL_METRICS_PATH, type MetricsSummary } from '../metrics-window.ts';
import { waitForStackReady } from '../stack-banner.ts';

const MAIN = join(import.meta.dir, '..', 'main.ts');
const dataDir = mkdtempSync(join(tmpdir(), 'picus-stack-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Stack {
  readonly base: string;
  readonly process: Subprocess<'ignore', 'pipe', 'inherit'>;
  output(): string;
}

/** Runs `bun run dev` (its entry) as a user would, on free ports, and waits for the banner. */
async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const [port, appPort] = [await freePort(), await freePort()];
  const child = spawn([process.execPath, MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      PORT_APP: String(appPort),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'inherit',
  });
  let text = await waitForStackReady(child.stdout, 20_000, (chunk) => {
    text += chunk;
  });
  return { base: `http://127.0.0.1:${port}`, process: child, output: () => text };
}

async function stopStack(stack: Stack): Promise<number> {
  stack.process.kill('SIGINT');
  return stack.process.exited;
}

/** A token from the stack's own issuer, as the banner shows (curl -u id:secret -d grant_type=…). */
async function tokenFrom(
  base: string,
  client = { id: 'picus-local', secret: 'picus-local-secret' },
  scope?: string,
): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  const response = await fetch(`${base}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${btoa(`${client.id}:${client.secret}`)}` },
    body: form,
  });
  expect(response.status).toBe(200);
  return TokenResponse.parse(await response.json()).access_token;
}

const json = { 'content-type': 'application/json' };

/** An IPv4 address of this machine other than loopback, if it has one. */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address !== undefined && !address.internal && address.family === 'IPv4')?.address;

/** Whether `host:port` accepts a TCP connection. */
function accepts(host: string, port: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(port), host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('local stack (bun run dev)', () => {
  test('serves the whole contract on one origin, DELETE through the Lambda handler', async () => {
    const stack = await startStack();
    try {
      expect(stack.output()).toContain('embedded DynamoDB');
      const { base } = stack;
      expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
      expect((await fetch(`${base}/ready`)).status).toBe(200);
      expect((await fetch(`${base}/picus/list`)).status).toBe(401);
      const auth = { authorization: `Bearer ${await tokenFrom(base)}` };

      const created = await fetch(`${base}/picus/put`, {
        method: 'POST',
        headers: { ...json, ...auth },
        body: '{"k":"v"}',
      });
      expect(created.status).toBe(201);
      const { object_id } = PutItemResponse.parse(await created.json());
      const got = await fetch(`${base}${created.headers.get('location')}`, { headers: auth });
      expect(Item.parse(await got.json())).toMatchObject({ data: { k: 'v' }, created_by: 'picus-local' });

      // DELETE goes to the Lambda handler, which checks the token as the container does.
      expect((await fetch(`${base}/picus/${object_id}`, { method: 'DELETE' })).status).toBe(401);
      const traced = await fetch(`${base}/picus/${object_id}`, { method: 'DELETE', headers: auth });
      expect(traced.status).toBe(200);
      // The load balancer adds an X-Ray trace id; the Lambda adopts its root as request id.
      expect(traced.headers.get('x-request-id')).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect(DeleteItemResponse.parse(await traced.json())).toEqual({ object_id, deleted: true });

      const again = await fetch(`${base}/picus/${object_id}`, { method: 'DELETE', headers: auth });
      expect(again.status).toBe(404);
      expect(Problem.parse(await again.json()).status).toBe(404);
      expect((await fetch(`${base}/picus/get/${object_id}`, { headers: auth })).status).toBe(404);

      const wrong = await fetch(`${base}/picus/get/${object_id}`, { method: 'DELETE', headers: auth });
      expect(wrong.status).toBe(405);
      expect(wrong.headers.get('allow')).toBe('GET');
    } finally {
      expect(await stopStack(stack)).toBe(0);
    }
  });

  test('data survives a restart', async () => {
    const first = await startStack();
    let objectId: string;
    try {
      const created = await fetch(`${first.base}/picus/put`, {
        method: 'POST',
        headers: { ...json, authorization: `Bearer ${await tokenFrom(first.base)}` },
        body: '{"keep":1}',
      });
      objectId = PutItemResponse.parse(await created.json()).object_id;
    } finally {
      expect(await stopStack(first)).toBe(0);
    }
    const second = await startStack();
    try {
      // A new stack has a new signing key: a token from the first one is not valid here.
      const got = await fetch(`${second.base}/picus/get/${objectId}`, {
        headers: { authorization: `Bearer ${await tokenFrom(second.base)}` },
      });
      expect(got.status).toBe(200);
      expect(Item.parse(await got.json()).data).toEqual({ keep: 1 });
    } finally {
      expect(await stopStack(second)).toBe(0);
    }
  });

  test('PICUS_STORE=memory shares one store between container app and Lambda', async () => {
    const stack = await startStack({ PICUS_STORE: 'memory' });
    try {
      const auth = { authorization: `Bearer ${await tokenFrom(stack.base)}` };
      const created = await fetch(`${stack.base}/picus/put`, {
        method: 'POST',
        headers: { ...json, ...auth },
        body: '{}',
      });
      const { object_id } = PutItemResponse.parse(await created.json());
      expect(
        (await fetch(`${stack.base}/picus/${object_id}`, { method: 'DELETE', headers: auth })).status,
      ).toBe(200);
    } finally {
      expect(await stopStack(stack)).toBe(0);
    }
  });

  test('the banner shows how to get a token; PICUS_LOCAL_CLIENTS adds clients with their scopes', async () => {
    const reader = { id: 'reader', secret: 'reader-secret', scopes: ['picus/read'] };
    const stack = await startStack({ PICUS_STORE: 'memory', PICUS_LOCAL_CLIENTS: JSON.stringify([reader]) });
    try {
      const port = new URL(stack.base).port;
      expect(stack.output()).toContain(
        `TOKEN=$(curl -s -u picus-local:picus-local-secret -d grant_type=client_credentials localhost:${port}/oauth2/token | jq -r .access_token)`,
      );
      const token = await tokenFrom(stack.base, reader);
      const auth = { authorization: `Bearer ${token}` };
      expect((await fetch(`${stack.base}/picus/list`, { headers: auth })).status).toBe(200);
      const put = await fetch(`${stack.base}/picus/put`, {
        method: 'POST',
        headers: { ...json, ...auth },
        body: '{}',
      });
      expect(put.status).toBe(403);
      expect(put.headers.get('www-authenticate')).toContain('scope="picus/write"');
      const asking = await fetch(`${stack.base}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${btoa('reader:reader-secret')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'picus/write' }),
      });
      expect(asking.status).toBe(400);
      expect(await asking.json()).toMatchObject({ error: 'invalid_scope' });
    } finally {
      expect(await stopStack(stack)).toBe(0);
    }
  });

  test('the load balancer listens on loopback only, unless HOST says otherwise', async () => {
    if (externalAddress === undefined) {
      console.warn('skipped: this machine has no non-loopback IPv4 address to probe from');
      return;
    }
    const local = await startStack({ PICUS_STORE: 'memory' });
    try {
      const port = new URL(local.base).port;
      expect(await accepts('127.0.0.1', port)).toBe(true);
      expect(await accepts(externalAddress, port)).toBe(false);
    } finally {
      expect(await stopStack(local)).toBe(0);
    }
    const everywhere = await startStack({ PICUS_STORE: 'memory', HOST: '0.0.0.0' });
    try {
      expect(await accepts(externalAddress, new URL(everywhere.base).port)).toBe(true);
    } finally {
      expect(await stopStack(everywhere)).toBe(0);
    }
  });

  test('AUTH_MODE=none runs without tokens, and says so', async () => {
    const stack = await startStack({ PICUS_STORE: 'memory', AUTH_MODE: 'none' });
    try {
      expect(stack.output()).toContain('AUTH_MODE=none');
      expect((await fetch(`${stack.base}/picus/list`)).status).toBe(200);
      expect((await fetch(`${stack.base}/oauth2/token`, { method: 'POST' })).status).toBe(404);
    } finally {
      expect(await stopStack(stack)).toBe(0);
    }
  });

  test('the last minute of metrics per operation, from the container process and the Lambda handler', async () => {
    const stack = await startStack({ LOG_LEVEL: 'info', AUTH_MODE: 'none' });
    try {
      expect(stack.output()).toContain(`${stack.base.replace('127.0.0.1', 'localhost')}/_local/metrics`);
      const put = await fetch(`${stack.base}/picus/put`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'metrics-1' },
        body: '{"a":1}',
      });
      const { object_id } = PutItemResponse.parse(await put.json());
      await fetch(`${stack.base}/picus/put`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'metrics-1' },
        body: '{"a":2}',
      });
      await fetch(`${stack.base}/picus/get/${object_id}`);
      await fetch(`${stack.base}/picus/${object_id}`, { method: 'DELETE' });
      await fetch(`${stack.base}/picus/${object_id}`, { method: 'DELETE' });
      // The container's lines reach the stack through its stdout: give the last one a moment.
      let summary: MetricsSummary;
      const deadline = Date.now() + 5_000;
      do {
        summary = (await (await fetch(`${stack.base}${LOCAL_METRICS_PATH}`)).json()) as MetricsSummary;
        if (summary.operations.get !== undefined) break;
        await Bun.sleep(50);
      } while (Date.now() < deadline);
      expect(summary.operations.put).toMatchObject({ requests: 2, outcomes: { ok: 1, conflict: 1 } });
      expect(summary.operations.get).toMatchObject({ requests: 1, outcomes: { ok: 1 } });
      expect(summary.operations.delete).toMatchObject({ requests: 2, outcomes: { ok: 1, not_found: 1 } });
    } finally {
      expect(await stopStack(stack)).toBe(0);
    }
  });
});
