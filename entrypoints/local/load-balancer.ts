import type { ALBEvent, ALBResult } from 'aws-lambda';
import type { Server } from 'bun';
import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem.ts';
import { routeFor } from '../../contracts/routing.ts';
import type { Logger } from '../shared/access-log.ts';
import { HttpProblem } from '../shared/http-problem.ts';
import { problemFor } from '../shared/problem-mapping.ts';
import { requestIdFrom } from '../shared/request-id.ts';
import { fromAlbResult, toAlbEvent } from './alb-translation.ts';

export type LambdaHandler = (event: ALBEvent) => Promise<ALBResult>;

export interface LoadBalancerOptions {
  readonly port: number;
  readonly hostname: string;
  /** Base URL of the container app, e.g. http://127.0.0.1:8000. */
  readonly containerUrl: string;
  readonly lambda: LambdaHandler;
  readonly logger: Logger;
}

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
 * ALB-shaped event, and proxies everything else to the container over HTTP.
 */
export function startLoadBalancer(options: LoadBalancerOptions): Server<undefined> {
  const containerUrl = options.containerUrl.replace(/\/$/, '');
  const server: Server<undefined> = Bun.serve({
    port: options.port,
    hostname: options.hostname,
    idleTimeout: 60,
    fetch: async (request) => {
      const url = new URL(request.url);
      const headers = forwardedHeaders(request, server, url);
      try {
        if (routeFor(request.method, url.pathname) === 'lambda') {
          const result = await options.lambda(await toAlbEvent(request, headers));
          return (
            fromAlbResult(result) ?? badGateway(headers, 'The Lambda target returned an invalid response.')
          );
        }
        return await fetch(`${containerUrl}${url.pathname}${url.search}`, {
          method: request.method,
          headers,
          body: request.body,
          redirect: 'manual',
          decompress: false,
        });
      } catch (error) {
        options.logger.event('error', 'target failed', { error: String(error), path: url.pathname });
        return badGateway(headers, 'The target did not answer.');
      }
    },
  });
  return server;
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

/** ALB answers 502 when a target fails; ours says so as problem+json. */
function badGateway(headers: Headers, detail: string): Response {
  const requestId = requestIdFrom((name) => headers.get(name));
  const problem = problemFor(new HttpProblem('BadGateway', detail), requestId);
  return new Response(JSON.stringify(problem.body), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'x-request-id': requestId },
  });
}
