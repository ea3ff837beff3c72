import {
  type EmbeddedDynamo,
  type EmbeddedDynamoOptions,
  type EngineExit,
  startEmbeddedDynamo,
} from '../../adapters/dynamodb/embedded/embedded-dynamodb.ts';
import type { Logger } from '../shared/logger.ts';

/** How often the engine may die before the stack gives up on it. */
export interface RestartPolicy {
  /** Restarts allowed within `windowMs`; one more death in the window stops the stack. */
  readonly maxRestarts: number;
  readonly windowMs: number;
  /** Pause before each restart, so a crash loop does not spin. */
  readonly delayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxRestarts: 3, windowMs: 60_000, delayMs: 200 };

export interface SupervisedEngine {
  /** Stable across restarts: the engine always comes back on the same port. */
  readonly endpoint: string;
  /** The engine's current process id. */
  pid(): number;
  /** Settles (never rejects) when the engine is gone for good; the stack must stop then. */
  readonly gaveUp: Promise<string>;
  stop(): Promise<void>;
}

/**
 * Runs the embedded DynamoDB and restarts it when it dies on its own (a crash, the
 * OOM killer, kill -9), on the same port and data directory, so the container and
 * the Lambda handler reconnect without knowing. Writes the engine acknowledged are in
 * LevelDB's log before the answer, so a restart loses none. Past the policy's bound,
 * or when a restart fails, it gives up and says why.
 */
export async function superviseEngine(
  options: EmbeddedDynamoOptions,
  logger: Logger,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  start: (options: EmbeddedDynamoOptions) => Promise<EmbeddedDynamo> = startEmbeddedDynamo,
): Promise<SupervisedEngine> {
  let engine = await start(options);
  const port = engine.port;
  const deaths: number[] = [];
  let stopping = false;
  let giveUp: (why: string) => void = () => {};
  const gaveUp = new Promise<string>((resolve) => {
    giveUp = resolve;
  });

  const watch = (current: EmbeddedDynamo) => {
    void current.exited.then((exit) => {
      if (!stopping) void restart(current, exit);
    });
  };

  const restart = async (dead: EmbeddedDynamo, exit: EngineExit) => {
    const now = performance.now();
    deaths.push(now);
    while (deaths.length > 0 && (deaths[0] as number) < now - policy.windowMs) deaths.shift();
    const how = exit.signal !== null ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
    const restarts = deaths.length;
    logger.event('error', 'embedded DynamoDB exited unexpectedly', {
      pid: dead.pid,
      code: exit.code,
      signal: exit.signal,
      restart: restarts <= policy.maxRestarts ? restarts : null,
      max_restarts: policy.maxRestarts,
    });
    if (restarts > policy.maxRestarts) {
      giveUp(
        `the embedded DynamoDB died ${restarts} times within ${policy.windowMs / 1000} s (last: ${how}); ` +
          'giving up',
      );
      return;
    }
    await Bun.sleep(policy.delayMs);
    if (stopping) return;
    const started = performance.now();
    try {
      engine = await start({ ...options, port });
    } catch (error) {
      giveUp(`the embedded DynamoDB died (${how}) and could not be restarted: ${String(error)}`);
      return;
    }
    logger.event('warn', 'embedded DynamoDB restarted', {
      pid: engine.pid,
      endpoint: engine.endpoint,
      restart: restarts,
      max_restarts: policy.maxRestarts,
      took_ms: Math.round(performance.now() - started),
    });
    if (stopping) await engine.stop();
    else watch(engine);
  };

  watch(engine);
  return {
    endpoint: engine.endpoint,
    pid: () => engine.pid,
    gaveUp,
    stop: async () => {
      stopping = true;
      await engine.stop();
    },
  };
}
