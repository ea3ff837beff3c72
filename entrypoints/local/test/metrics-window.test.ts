import { expect, test } from 'bun:test';
import { createLogger } from '../../shared/logger.ts';
import { logRequest } from '../../shared/request-log.ts';
import { MetricsWindow } from '../metrics-window.ts';

test('summarises the last minute of request lines per operation, as CloudWatch would see them', () => {
  let now = 1_000_000;
  const window = new MetricsWindow(60_000, () => now);
  const logger = createLogger('info', (line) => window.observe(line));
  const answered = (operation: 'get' | 'put', status: number, storeMs?: number, replayed?: boolean) =>
    logRequest(logger, {
      requestId: 'r',
      method: 'GET',
      path: '/x',
      status,
      startedAt: performance.now(),
      operation,
      storeMs,
      replayed,
    });
  answered('get', 200, 1);
  now += 61_000; // the first line has left the window
  for (let i = 0; i < 9; i++) answered('get', 200, 2);
  answered('get', 404, 3);
  answered('put', 201, 4, true);
  answered('put', 409, 5);
  window.observe('{"time":"…","level":"info","path":"/health","status":200}');
  window.observe('not json');

  const { window_seconds, operations } = window.summary();
  expect(window_seconds).toBe(60);
  expect(operations.get).toMatchObject({
    requests: 10,
    outcomes: { ok: 9, not_found: 1 },
    store_latency_ms: { p50: 2, p99: 3, max: 3 },
    idempotent_replays: 0,
  });
  expect(operations.put).toMatchObject({
    requests: 2,
    outcomes: { ok: 1, conflict: 1 },
    idempotent_replays: 1,
    idempotency_conflicts: 1,
  });
  expect(operations.list).toBeUndefined();
});
