import type { Caller } from '../shared/auth/caller.ts';

/**
 * The caller a request's token proved, for the envelope's log line (the app authenticates;
 * the envelope, outside the framework, writes the line), kept by request as the request id is.
 */
const callers = new WeakMap<Request, Caller>();

export function rememberCaller(request: Request, caller: Caller | undefined): void {
  if (caller !== undefined) callers.set(request, caller);
}

export function callerOf(request: Request): Caller | undefined {
  return callers.get(request);
}
