import { describe, expect, test } from 'bun:test';
import type {
  EmbeddedDynamo,
  EmbeddedDynamoOptions,
  EngineExit,
} from '../../../adapters/dynamodb/embedded/embedded-dynamodb.ts';
import { createLogger } from '../../shared/logger.ts';
import { type RestartPolicy, superviseEngine } from '../engine-supervisor.ts';

/** An engine whose life the test controls: `die` ends it as a crash would. */
interface FakeEngine extends EmbeddedDynamo {
  die(exit: EngineExit): void;
  readonly stopped: boolean;
}

function fakeStarts(failFrom = Number.POSITIVE_INFINITY) {
  const engines: FakeEngine[] = [];
  const calls: EmbeddedDynamoOptions[] = [];
  const start = async (options: EmbeddedDynamoOptions): Promise<EmbeddedDynamo> => {
    calls.push(options);
    if (calls.length > failFrom) throw new Error('port 4567 is in use');
    let end: (exit: EngineExit) => void = () => {};
    const exited = new Promise<EngineExit>((resolve) => {
      end = resolve;
    });
    let stopped = false;
    const port = options.port ?? 4567;
    const engine: FakeEngine = {
      endpoint: `http://127.0.0.1:${port}`,
      port,
      pid: 1000 + engines.length,
      exited,
      stop: async () => {
        stopped = true;
        end({ code: 0, signal: null });
      },
      kill: async () => end({ code: null, signal: 'SIGKILL' }),
      die: (exit) => end(exit),
      get stopped() {
        return stopped;
      },
    };
    engines.push(engine);
    return engine;
  };
  return { start, engines, calls };
}

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('debug', (line) => lines.push(JSON.parse(line)));
  return { logger, lines };
}

const policy: RestartPolicy = { maxRestarts: 2, windowMs: 60_000, delayMs: 1 };

/** Lets the supervisor's promise chain run until `done` holds (bounded, for a stuck supervisor). */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await Bun.sleep(1);
  expect(done()).toBe(true);
}

describe('engine supervisor', () => {
  test('an engine that dies is logged and restarted on the same port and data directory', async () => {
    const { start, engines, calls } = fakeStarts();
    const { logger, lines } = capturingLogger();
    const supervised = await superviseEngine({ dataDir: '/tmp/x', port: undefined }, logger, policy, start);
    expect(supervised.pid()).toBe(1000);

    engines[0]?.die({ code: null, signal: 'SIGKILL' });
    await until(() => engines.length === 2);
    expect(calls[1]).toEqual({ dataDir: '/tmp/x', port: 4567 });
    await until(() => supervised.pid() === 1001);
    expect(supervised.endpoint).toBe('http://127.0.0.1:4567');
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['error', 'embedded DynamoDB exited unexpectedly'],
      ['warn', 'embedded DynamoDB restarted'],
    ]);
    expect(lines[0]).toMatchObject({ pid: 1000, signal: 'SIGKILL', code: null, restart: 1, max_restarts: 2 });

    await supervised.stop();
    expect(engines[1]?.stopped).toBe(true);
    await Bun.sleep(5);
    expect(engines).toHaveLength(2); // a stop is not a death
  });

  test('one death more than the bound within the window: it gives up and says why', async () => {
    const { start, engines } = fakeStarts();
    const { logger } = capturingLogger();
    const supervised = await superviseEngine({}, logger, policy, start);
    let reason: string | undefined;
    void supervised.gaveUp.then((why) => {
      reason = why;
    });
    for (let death = 0; death < 3; death++) {
      const count = engines.length;
      engines.at(-1)?.die({ code: 134, signal: null });
      if (death < 2) await until(() => engines.length === count + 1);
    }
    await until(() => reason !== undefined);
    expect(reason).toBe('the embedded DynamoDB died 3 times within 60 s (last: exit code 134); giving up');
    expect(engines).toHaveLength(3);
  });

  test('deaths older than the window do not count', async () => {
    const { start, engines } = fakeStarts();
    const { logger } = capturingLogger();
    const supervised = await superviseEngine({}, logger, { ...policy, maxRestarts: 1, windowMs: 30 }, start);
    let gaveUp = false;
    void supervised.gaveUp.then(() => {
      gaveUp = true;
    });
    for (let death = 0; death < 3; death++) {
      const count = engines.length;
      engines.at(-1)?.die({ code: null, signal: 'SIGKILL' });
      await until(() => engines.length === count + 1);
      await Bun.sleep(60); // past the window
    }
    expect(gaveUp).toBe(false);
    await supervised.stop();
  });

  test('a restart that fails gives up at once, with the reason', async () => {
    const { start, engines } = fakeStarts(1);
    const { logger } = capturingLogger();
    const supervised = await superviseEngine({}, logger, policy, start);
    let reason: string | undefined;
    void supervised.gaveUp.then((why) => {
      reason = why;
    });
    engines[0]?.die({ code: null, signal: 'SIGSEGV' });
    await until(() => reason !== undefined);
    expect(reason).toBe(
      'the embedded DynamoDB died (killed by SIGSEGV) and could not be restarted: Error: port 4567 is in use',
    );
  });
});
