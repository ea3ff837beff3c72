import type { ALBEvent, ALBResult } from 'aws-lambda';
import { readCappedBody } from '../shared/capped-body.ts';

/** A target group ARN shaped like AWS's, so handlers that log it see a real form. */
const LOCAL_TARGET_GROUP_ARN =
  'arn:aws:elasticloadbalancing:local:000000000000:targetgroup/picus-delete/0000000000000000';

/** ALB refuses (413) a request body over 1 MB for a Lambda target, before invoking it. */
export const MAX_LAMBDA_BODY_BYTES = 1024 * 1024;

/** Media types ALB passes to Lambda as text; anything else travels base64-encoded. */
const TEXT_MEDIA = /^(text\/|application\/(?:[\w.-]+\+)?(?:json|xml|javascript|x-www-form-urlencoded))/i;

/**
 * The event an ALB sends a Lambda target (without multi-value headers, the target
 * group's default): raw path and query values as received, lower-case header names.
 * A body over the ALB's limit is a 413 HttpProblem, found without buffering more of it.
 */
export async function toAlbEvent(request: Request, headers: Headers): Promise<ALBEvent> {
  const url = new URL(request.url);
  const queryStringParameters: Record<string, string> = {};
  for (const pair of url.search.slice(1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    queryStringParameters[eq < 0 ? pair : pair.slice(0, eq)] = eq < 0 ? '' : pair.slice(eq + 1);
  }
  const flatHeaders: Record<string, string> = {};
  headers.forEach((value, name) => {
    flatHeaders[name] = value;
  });
  const bytes = await readCappedBody(
    request,
    MAX_LAMBDA_BODY_BYTES,
    `The load balancer sends a Lambda function at most ${MAX_LAMBDA_BODY_BYTES} bytes of body.`,
  );
  const isText = TEXT_MEDIA.test(headers.get('content-type') ?? '');
  return {
    requestContext: { elb: { targetGroupArn: LOCAL_TARGET_GROUP_ARN } },
    httpMethod: request.method,
    path: url.pathname,
    queryStringParameters,
    headers: flatHeaders,
    body: isText ? new TextDecoder().decode(bytes) : Buffer.from(bytes).toString('base64'),
    isBase64Encoded: !isText,
  };
}

/** The HTTP response an ALB makes of a Lambda result; undefined when ALB would reject it (502). */
export function fromAlbResult(result: unknown): Response | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = result as ALBResult;
  if (typeof statusCode !== 'number' || statusCode < 100 || statusCode > 599) return undefined;
  const out = new Headers();
  for (const [name, value] of Object.entries(headers ?? {})) out.set(name, String(value));
  for (const [name, values] of Object.entries(multiValueHeaders ?? {})) {
    out.delete(name);
    for (const value of values ?? []) out.append(name, String(value));
  }
  const payload =
    body === undefined || body === null ? null : isBase64Encoded ? Buffer.from(body, 'base64') : body;
  return new Response(payload, { status: statusCode, headers: out });
}
