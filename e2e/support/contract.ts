import { type APIResponse, expect } from '@playwright/test';
import type { z } from 'zod';
import { RequestIdHeader } from '../../contracts/http.ts';
import {
  type OperationName,
  operations,
  type ResponseSpec,
  routeProblems,
} from '../../contracts/operations.ts';
import { PROBLEM_CONTENT_TYPE, Problem } from '../../contracts/problem.ts';

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

async function bodyOf(response: APIResponse): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${response.url()}: the body is not JSON: ${text.slice(0, 200)}`);
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
    expect(response.status(), `${where}: ${(await response.text()).slice(0, 500)}`).toBe(status);
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
      `${where}: the body breaks its contract: ${parsed.error.message}\n${JSON.stringify(body)}`,
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
