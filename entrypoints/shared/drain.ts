import type { Server } from 'bun';

/** A server's shutdown state: set by `drain`, read by its request path to announce the shutdown. */
export interface DrainState {
  draining: boolean;
}

const drainStates = new WeakMap<Server<undefined>, DrainState>();

/** The drain state of `server` (created on first use), for its request path to read. */
export function drainStateOf(server: Server<undefined>): DrainState {
  let state = drainStates.get(server);
  if (state === undefined) {
    state = { draining: false };
    drainStates.set(server, state);
  }
  return state;
}

export interface DrainOptions {
  /**
   * How long to keep serving (with /ready at 503 and `Connection: close`) before
   * closing the listener, so a load balancer that health-checks /ready takes the
   * instance out first. Counted inside `timeoutMs`, and at most half of it.
   */
  readonly noticeMs?: number;
}

/**
 * Graceful stop: announce the shutdown (the server's request path reads `drainStateOf`: every
 * response then carries `Connection: close`), wait `noticeMs`, refuse
 * new connections, let in-flight requests finish within what is left of
 * `timeoutMs`, then close whatever is left. Resolves true when nothing was cut off.
 */
export async function drain(
  server: Server<undefined>,
  timeoutMs: number,
  options: DrainOptions = {},
): Promise<boolean> {
  const started = performance.now();
  drainStateOf(server).draining = true;
  const noticeMs = Math.min(Math.max(0, options.noticeMs ?? 0), timeoutMs / 2);
  if (noticeMs > 0) await Bun.sleep(noticeMs);
  const remainingMs = Math.max(1, timeoutMs - (performance.now() - started));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), remainingMs);
  });
  const finished = server.stop(false).then(() => true as const);
  const clean = await Promise.race([finished, timedOut]);
  clearTimeout(timer);
  if (!clean) await server.stop(true);
  return clean;
}
