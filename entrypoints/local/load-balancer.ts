import type { ALBEvent, ALBResult } from 'aws-lambda';
import type { Server } from 'bun';
import { CLIENT_CLOSED_REQUEST, PROBLEM_CONTENT_TYPE } from '../../contracts/problem-kinds.ts';
import { routeFor } from '../../contracts/routing.ts';
import { type Drain, drainOf } from '../shared/drain.ts';
import { HttpProblem } from '../shared/http-problem.ts';
import { lastResort } from '../shared/last-resort.ts';
import type { Logger } from '../shared/logger.ts';
import { problemFor } from '../shared/problem-mapping.ts';
import { requestIdFrom } from '../shared/request-id.ts';
import { fromAlbResult, toAlbEvent } from './alb-translation.ts';
import { LOCAL_METRICS_PATH, type MetricsWindow } from './metrics-window.ts';
import type { LocalIssuer } from './oauth-issuer.ts';

export type LambdaHandler = (event: ALBEvent) => Promise<ALBResult>;

export interface LoadBalancerOptions {
  readonly port: number;
  readonly hostname: string;
  /** Base URL of the container app, e.g. http://127.0.0.1:8000 (one target). */
  readonly containerUrl?: string;
  /** Several container targets, served round-robin (instead of `containerUrl`). */
  readonly containerUrls?: readonly string[];
  /**
   * Probe every target's /ready this often, as the ALB's target-group health check
   * does, and send nothing new to a target that fails it until it passes again.
   * Off when unset.
   */
  readonly healthCheckIntervalMs?: number;
  readonly lambda: LambdaHandler;
  readonly logger: Logger;
  /** The local OAuth 2.0 issuer, served on this origin as Cognito's domain would be. */
  readonly issuer?: LocalIssuer;
  /** The last minute's application metrics, shown at LOCAL_METRICS_PATH (a local-only page). */
  readonly metrics?: MetricsWindow;
}

/** A running load balancer: its server, its graceful stop, and its immediate one. */
export interface LoadBalancer {
  readonly server: Server<undefined>;
  readonly drain: Drain;
  readonly stop: () => Promise<void>;
}

interface Target {
  readonly url: string;
  healthy: boolean;
}

/** Request bodies up to this size are buffered, so a refused connection can be retried. */
const REPLAYABLE_BODY_BYTES = 1024 * 1024;
const IDEMPOTENT = new Set(['GET', 'HEAD']);

/** Hop-by-hop headers a proxy must not forward (RFC 9110 §7.6.1). */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
];

/**
 * A local stand-in for the Application Load Balancer: routes by the shared
 * routing table, adds the headers ALB adds, invokes the Lambda handler with an
 * ALB-shaped event, and proxies everything else to the container targets over HTTP,
 * round-robin over the healthy ones (all of them when none is, as ALB fails open).
 *
 * A request whose connection was refused never reached its target, so it is sent
 * to the next target (its body, when small, is buffered for that). Any other
 * network failure is retried only for GET/HEAD, which change nothing here; a
 * request that may have reached a target is never sent twice.
 */
export function startLoadBalancer(options: LoadBalancerOptions): LoadBalancer {
  const urls = options.containerUrls ?? (options.containerUrl ? [options.containerUrl] : []);
  if (urls.length === 0) throw new Error('startLoadBalancer needs at least one container URL');
  const targets: Target[] = urls.map((url) => ({ url: url.replace(/\/$/, ''), healthy: true }));
  let next = 0;
  const pick = (tried: ReadonlySet<Target>): Target | undefined => {
    const untried = targets.filter((target) => !tried.has(target));
    const healthy = untried.filter((target) => target.healthy);
    const pool = healthy.length > 0 ? healthy : untried;
    if (pool.length === 0) return undefined;
    next = (next + 1) % 1_000_000_000;
    return pool[next % pool.length];
  };
  const checking = options.healthCheckIntervalMs !== undefined;
  let draining = false;

  const proxy = async (request: Request, url: URL, headers: Headers): Promise<Response> => {
    const hasBody = request.body !== null && !IDEMPOTENT.has(request.method);
    const declared = Number(request.headers.get('content-length') ?? Number.NaN);
    const replayable = !hasBody || declared <= REPLAYABLE_BODY_BYTES;
    const body = hasBody ? (replayable ? await request.arrayBuffer() : request.body) : undefined;
    const tried = new Set<Target>();
    for (;;) {
      const target = pick(tried) as Target;
      tried.add(target);
      try {
        const response = await fetch(`${target.url}${url.pathname}${url.search}`, {
          method: request.method,
          headers,
          body,
          redirect: 'manual',
          decompress: false,
        });
        return withoutHopByHop(response);
      } catch (error) {
        const refused = (error as { code?: unknown }).code === 'ECONNREFUSED';
        if (refused && checking) target.healthy = false;
        const retry = replayable && (refused || IDEMPOTENT.has(request.method));
        if (!retry || tried.size === targets.length) throw error;
        options.logger.event('warn', 'retrying on another target', {
          error: String(error),
          target: target.url,
          path: url.pathname,
        });
      }
    }
  };

  const server: Server<undefined> = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    idleTimeout: 60,
    // The targets enforce their own limits (the container's 413, the Lambda hop's 1 MiB, which the
    // load balancer checks while streaming); Bun's own, answered without a problem body, sits far above.
    maxRequestBodySize: 1024 * 1024 * 1024,
    development: false,
    error: lastResort(options.logger),
    fetch: async (request) => {
      const response = await route(request);
      // While draining, keep-alive clients are told to reconnect (as the container and the ALB do),
      // so none reuses a socket the listener is about to close.
      return draining ? withConnectionClose(response) : response;
    },
  });

  /** The request's client has gone (closed, or pipelined: see `route`): logged, never forwarded. */
  const clientClosed = (request: Request, path: string, headers: Headers): Response => {
    options.logger.event('warn', 'client closed the request', {
      request_id: requestIdFrom((name) => headers.get(name)),
      method: request.method,
      path,
      status: CLIENT_CLOSED_REQUEST,
    });
    return new Response(null, { status: CLIENT_CLOSED_REQUEST });
  };

  async function route(request: Request): Promise<Response> {
    const url = urlOf(request);
    if (url === undefined) return badHost(request, options.logger);
    const issued = options.issuer?.handle(request, url.pathname);
    if (issued !== undefined) return issued;
    if (options.metrics !== undefined && request.method === 'GET' && url.pathname === LOCAL_METRICS_PATH) {
      return Response.json(options.metrics.summary(), { headers: { 'cache-control': 'no-store' } });
    }
    const headers = forwardedHeaders(request, server, url);
    // Bun closes a connection that pipelines requests to an async handler, answering none of them
    // (README, "HTTP/1.1 pipelining"), and it does so on the next turn of the event loop. Waiting
    // one turn lets the load balancer see that and refuse: a pipelined request is never forwarded,
    // so a client can resend each one safely (RFC 9112 §9.3.2), and a pipelined POST stores nothing.
    await nextTurn();
    if (request.signal.aborted) return clientClosed(request, url.pathname, headers);
    try {
      if (routeFor(request.method, url.pathname) === 'lambda') {
        const result = await options.lambda(await toAlbEvent(request, headers));
        return (
          fromAlbResult(result) ??
          problemAnswer(
            headers,
            new HttpProblem('BadGateway', 'The Lambda target returned an invalid response.'),
          )
        );
      }
      return await proxy(request, url, headers);
    } catch (error) {
      // The client left (mid-upload, typically): nothing failed on our side.
      if (request.signal.aborted) return clientClosed(request, url.pathname, headers);
      // The load balancer's own refusals (a body over the Lambda limit), as the ALB would answer.
      if (error instanceof HttpProblem) return problemAnswer(headers, error);
      options.logger.event('error', 'target failed', { error: String(error), path: url.pathname });
      return problemAnswer(headers, new HttpProblem('BadGateway', 'The target did not answer.'));
    }
  }

  let healthChecks: ReturnType<typeof setInterval> | undefined;
  if (checking) {
    const intervalMs = options.healthCheckIntervalMs as number;
    const probe = async (target: Target) => {
      try {
        const response = await fetch(`${target.url}/ready`, { signal: AbortSignal.timeout(intervalMs * 5) });
        await response.arrayBuffer();
        target.healthy = response.ok;
      } catch {
        target.healthy = false;
      }
    };
    let probing = false;
    healthChecks = setInterval(() => {
      if (probing) return;
      probing = true;
      void Promise.all(targets.map(probe)).finally(() => {
        probing = false;
      });
    }, intervalMs);
    healthChecks.unref();
  }
  const drain = drainOf(server, () => {
    draining = true;
  });
  return {
    server,
    drain: (timeoutMs, drainOptions) => {
      clearInterval(healthChecks);
      return drain(timeoutMs, drainOptions);
    },
    stop: () => {
      clearInterval(healthChecks);
      return server.stop(true);
    },
  };
}

/**
 * RFC 9110's Host: a reg-name or IPv4 address (no userinfo, no percent-escapes) or a bracketed
 * IPv6 literal, with an optional port.
 */
const VALID_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=]+)(?::\d{1,5})?$/;

/** The request's URL, or undefined when its Host is missing or not a host (as the ALB, it is a 400). */
function urlOf(request: Request): URL | undefined {
  const host = request.headers.get('host');
  if (host === null || !VALID_HOST.test(host) || !URL.canParse(request.url)) return undefined;
  return new URL(request.url);
}

function badHost(request: Request, logger: Logger): Response {
  const requestId = requestIdFrom((name) => request.headers.get(name));
  const problem = problemFor(
    new HttpProblem('MalformedRequest', 'The Host header is missing or not a valid host.'),
    requestId,
  );
  logger.request({
    request_id: requestId,
    method: request.method,
    path: '(bad Host)',
    status: problem.status,
    latency_ms: 0,
  });
  return new Response(JSON.stringify(problem.body), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'x-request-id': requestId },
  });
}

/** One turn of the event loop (timers, I/O), not just the microtask queue. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** `response` with `Connection: close` (a proxied response's headers may be immutable). */
function withConnectionClose(response: Response): Response {
  const headers = new Headers(response.headers);
  headers.set('connection', 'close');
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

/** The target's response without its hop-by-hop headers (e.g. a draining target's `Connection: close`). */
function withoutHopByHop(response: Response): Response {
  if (!HOP_BY_HOP.some((name) => response.headers.has(name))) return response;
  const headers = new Headers(response.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

function forwardedHeaders(request: Request, server: Server<undefined>, url: URL): Headers {
  const headers = new Headers(request.headers);
  for (const name of HOP_BY_HOP) headers.delete(name);
  const client = server.requestIP(request)?.address ?? '127.0.0.1';
  const priorFor = headers.get('x-forwarded-for');
  headers.set('x-forwarded-for', priorFor ? `${priorFor}, ${client}` : client);
  headers.set('x-forwarded-proto', url.protocol.replace(':', ''));
  headers.set('x-forwarded-port', url.port || (url.protocol === 'https:' ? '443' : '80'));
  if (!headers.has('x-amzn-trace-id')) headers.set('x-amzn-trace-id', `Root=${newTraceRoot()}`);
  return headers;
}

/** An X-Ray trace root: version, epoch seconds in hex, 96 random bits in hex. */
function newTraceRoot(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  const random = crypto.getRandomValues(new Uint8Array(12));
  return `1-${epoch}-${Buffer.from(random).toString('hex')}`;
}

/** What the load balancer itself answers (502 when a target fails, 413 over the Lambda limit), as problem+json. */
function problemAnswer(headers: Headers, failure: HttpProblem): Response {
  const requestId = requestIdFrom((name) => headers.get(name));
  const problem = problemFor(failure, requestId);
  return new Response(JSON.stringify(problem.body), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'x-request-id': requestId },
  });
}
