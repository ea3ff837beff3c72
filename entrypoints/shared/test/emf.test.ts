import { describe, expect, test } from 'bun:test';
import type { ALBEvent } from 'aws-lambda';
import { MemoryItemRepository } from '../../../adapters/memory/memory-item-repository.ts';
import {
  DIMENSIONS,
  METRIC_OPERATIONS,
  METRICS,
  METRICS_NAMESPACE,
  OUTCOMES,
  SERVER_ERROR_OUTCOMES,
} from '../../../contracts/metrics.ts';
import { StoreUnavailable } from '../../../domain/errors.ts';
import type { ItemRepository } from '../../../domain/item-repository.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { createApp } from '../../http/app.ts';
import { withEnvelope } from '../../http/envelope.ts';
import { createDeleteHandler } from '../../lambda/delete-handler.ts';
import { issuerForTests } from '../auth/test/test-issuer.ts';
import { createLogger } from '../logger.ts';
import { outcomeOf } from '../request-metrics.ts';
import { emfProblems } from './emf-spec.ts';

type Line = Record<string, unknown> & {
  _aws?: { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> };
};

const tokens = issuerForTests();

/** The container app and the Lambda handler over one store, every line they log kept. */
function run(repository: ItemRepository = new MemoryItemRepository()) {
  const lines: string[] = [];
  const logger = createLogger('info', (line) => lines.push(line));
  const service = new ItemService(repository);
  const handle = withEnvelope(createApp({ service, auth: tokens.auth }).handle, logger);
  const lambda = createDeleteHandler(service, logger, tokens.auth);
  const call = (path: string, init: RequestInit = {}) =>
    handle(
      new Request(`http://picus.test${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${tokens.token}`,
          'content-type': 'application/json',
          ...init.headers,
        },
      }),
    );
  const remove = (key: string) =>
    lambda({
      httpMethod: 'DELETE',
      path: `/picus/${key}`,
      headers: { authorization: `Bearer ${tokens.token}` },
      body: '',
      isBase64Encoded: false,
    } as unknown as ALBEvent);
  const parsed = () => lines.map((line) => JSON.parse(line) as Line);
  return { lines, call, remove, parsed };
}

describe('request log lines are CloudWatch Embedded Metric Format documents', () => {
  test('every operation, from the container and the Lambda, with every outcome it can have here', async () => {
    const { lines, call, remove, parsed } = run();
    const put = (body: unknown, key?: string) =>
      call('/picus/put', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: key === undefined ? {} : { 'idempotency-key': key },
      });
    const created = (await (await put({ a: 1 })).json()) as { object_id: string };
    await put({ b: 1 }, 'order-1');
    await put({ b: 1 }, 'order-1'); // replayed
    await put({ b: 2 }, 'order-1'); // conflict
    await call('/picus/put', { method: 'POST', body: '[1]' }); // 422
    await call(`/picus/get/${created.object_id}`);
    await call('/picus/get/missing');
    await call('/picus/list?limit=2');
    await call('/picus/list?limit=0'); // 400
    await call('/picus/list', { headers: { authorization: 'Bearer nope' } }); // 401
    await call('/ready');
    await call('/health');
    await call('/nowhere');
    await remove(created.object_id);
    await remove('missing');

    const withMetrics = parsed().filter((line) => line._aws !== undefined);
    for (const [i, line] of lines.entries()) {
      if (JSON.parse(line)._aws === undefined) continue;
      expect(emfProblems(line), line).toEqual([]);
      expect(line.startsWith('{"_aws":'), `line ${i}`).toBe(true);
    }
    // Probes and requests that name no operation carry no metrics.
    const without = parsed().filter((line) => line._aws === undefined);
    expect(without.map((line) => line.path).sort()).toEqual(['/health', '/nowhere']);

    const seen = withMetrics.map((line) => `${line.Operation} ${line.Outcome} ${line.status}`);
    expect(seen).toEqual([
      'put ok 201',
      'put ok 201',
      'put ok 201',
      'put conflict 409',
      'put client_error 422',
      'get ok 200',
      'get not_found 404',
      'list ok 200',
      'list client_error 400',
      'list client_error 401',
      'ready ok 200',
      'delete ok 200',
      'delete not_found 404',
    ]);
    for (const line of withMetrics) {
      expect(METRIC_OPERATIONS).toContain(line.Operation as never);
      expect(OUTCOMES).toContain(line.Outcome as never);
      expect(
        line._aws?.CloudWatchMetrics.map((d) => (d as unknown as { Namespace: string }).Namespace),
      ).toEqual([METRICS_NAMESPACE]);
      expect(line[METRICS.requests.name]).toBe(1);
      expect(line[METRICS.latency.name]).toBe(line.latency_ms);
      // High-cardinality values are properties, never dimensions.
      const directive = line._aws?.CloudWatchMetrics[0] as unknown as { Dimensions: string[][] };
      const dimensions = directive.Dimensions.flat();
      expect(new Set(dimensions)).toEqual(new Set(Object.values(DIMENSIONS)));
      // The caller a token proved stays a property (/ready is public: no caller).
      if (line.Operation !== 'ready' && line.status !== 401) expect(line.client_id).toBe('client-1');
    }
    const puts = withMetrics.filter((line) => line.Operation === 'put');
    expect(puts.map((line) => [line.IdempotentReplay, line.IdempotencyConflict])).toEqual([
      [0, 0],
      [0, 0],
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
    const declared = (line: Line) => line._aws?.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name) ?? [];
    // The store was called for every operation but the refused ones (422 before, 400 and 401 before).
    for (const line of withMetrics) {
      const calledStore = ![
        'put client_error 422',
        'list client_error 400',
        'list client_error 401',
      ].includes(`${line.Operation} ${line.Outcome} ${line.status}`);
      expect(declared(line).includes(METRICS.storeLatency.name), JSON.stringify(line)).toBe(calledStore);
      if (calledStore) expect(line.StoreLatency as number).toBeGreaterThanOrEqual(0);
    }
    expect(declared(puts[0] as Line)).toContain(METRICS.idempotentReplay.name);
    expect(declared(withMetrics.find((line) => line.Operation === 'get') as Line)).not.toContain(
      METRICS.idempotentReplay.name,
    );
  });

  test('a throttling store is `throttled`, one that is down `unavailable`, with their store latency', async () => {
    const failing = (throttled: boolean): ItemRepository => ({
      ...new MemoryItemRepository(),
      get: async () => {
        throw new StoreUnavailable(1, { throttled });
      },
      scan: async () => {
        throw new StoreUnavailable(1, { throttled });
      },
      ping: async () => {},
      create: async () => ({ created: true }),
      delete: async () => true,
    });
    for (const [throttled, outcome] of [
      [true, 'throttled'],
      [false, 'unavailable'],
    ] as const) {
      const { lines, call, parsed } = run(failing(throttled));
      await call('/picus/get/x');
      await call('/picus/list');
      for (const line of lines) expect(emfProblems(line)).toEqual([]);
      expect(
        parsed().map((line) => [line.Operation, line.Outcome, line.status, typeof line.StoreLatency]),
      ).toEqual([
        ['get', outcome, 503, 'number'],
        ['list', outcome, 503, 'number'],
      ]);
    }
  });

  test('outcomes by status and failure', () => {
    expect(outcomeOf(200, undefined)).toBe('ok');
    expect(outcomeOf(201, undefined)).toBe('ok');
    expect(outcomeOf(404, undefined)).toBe('not_found');
    expect(outcomeOf(409, undefined)).toBe('conflict');
    expect(outcomeOf(503, new StoreUnavailable(1, { throttled: true }))).toBe('throttled');
    expect(outcomeOf(503, new StoreUnavailable(1))).toBe('unavailable');
    expect(outcomeOf(500, new Error('bug'))).toBe('error');
    expect(outcomeOf(499, new Error('gone'))).toBe('client_error');
    expect(outcomeOf(413, undefined)).toBe('client_error');
    // The AWS stack's availability SLO counts these outcomes as the 5xx they are, and only these.
    for (const [status, failure] of [
      [500, new Error('bug')],
      [502, undefined],
      [503, new StoreUnavailable(1)],
      [503, new StoreUnavailable(1, { throttled: true })],
    ] as const) {
      expect(SERVER_ERROR_OUTCOMES).toContain(outcomeOf(status, failure) as never);
    }
    for (const status of [200, 201, 400, 401, 403, 404, 409, 413, 415, 422, 499]) {
      expect(SERVER_ERROR_OUTCOMES).not.toContain(outcomeOf(status, undefined) as never);
    }
  });
});

describe('the EMF checker', () => {
  test('refuses what CloudWatch would reject', () => {
    const good = {
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [{ Namespace: 'N', Dimensions: [['D']], Metrics: [{ Name: 'M', Unit: 'Count' }] }],
      },
      D: 'x',
      M: 1,
    };
    expect(emfProblems(JSON.stringify(good))).toEqual([]);
    const bad = (change: (doc: typeof good) => unknown) =>
      emfProblems(JSON.stringify(change(structuredClone(good))));
    expect(bad((doc) => ({ ...doc, M: undefined }))).toHaveLength(1);
    expect(bad((doc) => ({ ...doc, D: 3 }))).toHaveLength(1);
    expect(bad((doc) => ({ ...doc, _aws: { ...doc._aws, Timestamp: 'now' } }))).toHaveLength(1);
    const metrics = (doc: typeof good) => (doc._aws.CloudWatchMetrics[0] as { Metrics: unknown[] }).Metrics;
    const furlongs = (doc: typeof good) => {
      metrics(doc).push({ Name: 'X', Unit: 'Furlongs' });
      return { ...doc, X: 1 };
    };
    expect(bad(furlongs)).toHaveLength(1);
    expect(
      bad((doc) => {
        (doc._aws.CloudWatchMetrics[0] as { Dimensions: string[][] }).Dimensions = [
          Array.from({ length: 31 }, (_, i) => `D${i}`),
        ];
        return Object.assign(doc, Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`D${i}`, 'v'])));
      }),
    ).toHaveLength(1);
  });
});
