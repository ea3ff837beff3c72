import type { Server } from 'bun';

export interface DrainOptions {
  /**
   * How long to keep serving (with /ready at 503 and `Connection: close`) before
   * closing the listener, so a load balancer that health-checks /ready takes the
   * instance out first. Counted inside `timeoutMs`, and at most half of it.
   */
  readonly noticeMs?: number;
}

/** A graceful stop of one server: resolves true when nothing in flight was cut off. */
export type Drain = (timeoutMs: number, options?: DrainOptions) => Promise<boolean>;

/**
 * The graceful stop of `server`: call `announce` (its request path then answers accordingly:
 * every response carries `Connection: close`, /ready says 503), wait `noticeMs`, refuse new
 * connections, let in-flight requests finish within what is left of `timeoutMs`, then close
 * whatever is left.
 */
export function drainOf(server: Server<undefined>, announce: () => void): Drain {
  return async (timeoutMs, options = {}) => {
    const started = performance.now();
    announce();
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
  };
}
