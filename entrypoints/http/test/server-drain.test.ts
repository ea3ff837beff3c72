import { expect, test } from 'bun:test';
import { MemoryItemRepository } from '../../../adapters/memory/memory-item-repository.ts';
import { Problem } from '../../../contracts/problem.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { createAuthorizer } from '../../shared/auth/authorizer.ts';
import { createLogger } from '../../shared/logger.ts';
import { createApp } from '../app.ts';
import { serveApp } from '../server.ts';

const NOTICE_MS = 400;

test('drain: through the notice /ready is the shutting-down problem and every answer says Connection: close', async () => {
  const lines: string[] = [];
  const app = createApp({
    service: new ItemService(new MemoryItemRepository()),
    auth: createAuthorizer({ mode: 'none' }),
  });
  const { server, drain } = serveApp(app, {
    port: 0,
    hostname: '127.0.0.1',
    logger: createLogger('info', (line) => lines.push(line)),
  });
  const base = `http://127.0.0.1:${server.port}`;
  const before = await fetch(`${base}/ready`);
  expect(before.status).toBe(200);
  expect(before.headers.get('connection')).not.toBe('close');

  const drained = drain(5_000, { noticeMs: NOTICE_MS });
  const ready = await fetch(`${base}/ready`, { headers: { 'x-request-id': 'drain-check' } });
  expect(ready.status).toBe(503);
  expect(ready.headers.get('content-type')).toBe('application/problem+json');
  expect(ready.headers.get('retry-after')).toBe('1');
  expect(ready.headers.get('connection')).toBe('close');
  expect(ready.headers.get('x-request-id')).toBe('drain-check');
  const problem = Problem.parse(await ready.json());
  expect(problem).toMatchObject({
    type: 'urn:picus:problem:shutting-down',
    status: 503,
    request_id: 'drain-check',
  });
  // Everything else is still served through the notice, each answer telling the client to reconnect.
  const health = await fetch(`${base}/health`);
  expect(health.status).toBe(200);
  expect(health.headers.get('connection')).toBe('close');

  expect(await drained).toBe(true);
  const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.request_id === 'drain-check');
  expect(logged).toMatchObject({ status: 503, path: '/ready', level: 'error' });
});
