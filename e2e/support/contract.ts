import { type APIResponse, expect, test } from '@playwright/test';
import type { z } from 'zod';
import { RequestIdHeader } from '../../contracts/http.ts';
import {
  type OperationName,
  operations,
  type ResponseSpec,
  routeProblems,
} from '../../contracts/operations.ts';
import { Problem } from '../../contracts/problem.ts';
import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem-kinds.ts';
import { DEPLOYMENT_TARGET } from './target.ts';

/**
 * Every response the suite receives goes through `expectResponse` (or
 * `expectRouteProblem`): status, media type, each header the contract documents
 * for that status, and the body, parsed with the zod schema of contracts/.
 */

type Ops = typeof operations;
export type StatusOf<N extends OperationName> = keyof Ops[N]['responses'] & number;
type SpecOf<N extends OperationName, S extends StatusOf<N>> = Ops[N]['responses'][S];
export type BodyOf<N extends OperationName, S extends StatusOf<N>> =
  SpecOf<N, S> extends { schema: infer Z extends z.ZodType } ? z.output<Z> : never;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A body as a failure message may quote it: against a deployment only problem documents
 * (which hold no items) are quoted, since a page of a list holds other people's data.
 */
function quotable(response: APIResponse, text: string, limit: number): string {
  const type = response.headers()['content-type'] ?? '';
  if (DEPLOYMENT_TARGET && !type.startsWith(PROBLEM_CONTENT_TYPE))
    return `(${text.length} bytes of ${type || 'no content type'}, not quoted: a deployment's data)`;
  return text.slice(0, limit);
}

async function bodyOf(response: APIResponse): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${response.url()}: the body is not JSON: ${quotable(response, text, 200)}`);
  }
}

/** Checks `response` against one response of the contract and returns its parsed body. */
export async function expectSpec(
  response: APIResponse,
  spec: ResponseSpec,
  status: number,
): Promise<unknown> {
  const where = `${response.url()} answered ${response.status()}`;
  if (response.status() !== status) {
    expect(response.status(), `${where}: ${quotable(response, await response.text(), 500)}`).toBe(status);
  }
  const headers = response.headers();
  const contentType = headers['content-type'] ?? '';
  expect(contentType, `${where}: content-type`).toMatch(
    new RegExp(`^${escapeRegExp(spec.contentType)}\\s*(;|$)`, 'i'),
  );
  for (const [name, header] of Object.entries(spec.headers)) {
    const value = headers[name];
    if (header.required) expect(value, `${where}: header ${name}`).toBeDefined();
    if (value !== undefined) {
      const parsed = header.schema.safeParse(value);
      expect(parsed.success, `${where}: header ${name}: ${JSON.stringify(value)} breaks its contract`).toBe(
        true,
      );
    }
  }
  const body = await bodyOf(response);
  const parsed = spec.schema.safeParse(body);
  if (!parsed.success) {
    throw new Error(
      `${where}: the body breaks its contract: ${parsed.error.message}\n${quotable(response, JSON.stringify(body), 4000)}`,
    );
  }
  if (spec.contentType === PROBLEM_CONTENT_TYPE) {
    const problem = Problem.parse(body);
    expect(problem.status, `${where}: problem.status`).toBe(status);
    expect(problem.request_id, `${where}: problem.request_id is the x-request-id`).toBe(
      headers['x-request-id'],
    );
    // The kind of problem is one the contract documents for this status.
    const documented = Object.values(spec.examples).map((example) => {
      const { type, title } = example.value as Problem;
      return `${type} ${title}`;
    });
    expect(documented, `${where}: undocumented problem ${problem.type}`).toContain(
      `${problem.type} ${problem.title}`,
    );
  }
  return body;
}

/** Checks `response` against the contract of operation `name` for `status`; returns the typed body. */
export async function expectResponse<N extends OperationName, S extends StatusOf<N>>(
  response: APIResponse,
  name: N,
  status: S,
): Promise<BodyOf<N, S>> {
  const spec = (operations[name].responses as Record<number, ResponseSpec>)[status];
  if (!spec) throw new Error(`operation ${name} documents no ${status} response`);
  return (await expectSpec(response, spec, status)) as BodyOf<N, S>;
}

/** A 404 (no resource) or 405 (wrong method; `Allow` lists the right ones). */
export async function expectRouteProblem(response: APIResponse, status: 404 | 405): Promise<Problem> {
  return Problem.parse(await expectSpec(response, routeProblems[status], status));
}

/** Asserts the response's x-request-id is a sane one and returns it. */
export function requestIdOf(response: APIResponse): string {
  return RequestIdHeader.parse(response.headers()['x-request-id']);
}

/**
 * How AWS WAF answers a request it blocks at the load balancer: 403 with the load balancer's
 * own HTML page, not our problem+json.
 */
export async function isEdgeBlock(response: APIResponse): Promise<boolean> {
  return (
    response.status() === 403 &&
    (response.headers()['content-type'] ?? '').startsWith('text/html') &&
    (await response.text()).includes('403 Forbidden')
  );
}

/**
 * A request over one of the API's size limits must be refused: by the app, exactly as the
 * contract says (`status`, problem+json), or, through a deployment's edge, by WAF before it
 * reaches the app. Either is a correct refusal, so WAF's answer never fails the run (and
 * never rolls a deploy back); which one answered is recorded as an annotation.
 */
export async function expectSizeRefusal<N extends OperationName, S extends StatusOf<N>>(
  response: APIResponse,
  name: N,
  status: S,
  what: string,
): Promise<'app' | 'edge'> {
  if (await isEdgeBlock(response)) {
    test.info().annotations.push({ type: 'refused at the edge (WAF)', description: what });
    return 'edge';
  }
  await expectResponse(response, name, status);
  return 'app';
}
