import { describe, expect, test } from 'bun:test';
import { operationList, routeProblems } from '../../../contracts/operations.ts';
import type { Problem } from '../../../contracts/problem.ts';
import { SCOPES } from '../../../contracts/scopes.ts';
import {
  IdempotencyConflict,
  InvalidIdempotencyKey,
  InvalidItem,
  InvalidKey,
  InvalidPageRequest,
  ItemNotFound,
  ShuttingDown,
  StoreUnavailable,
} from '../../../domain/errors.ts';
import {
  AuthenticationRequired,
  AuthUnavailable,
  InsufficientScope,
  InvalidToken,
} from '../auth/auth-failures.ts';
import { HttpProblem, type HttpProblemKind } from '../http-problem.ts';
import { problemFor } from '../problem-mapping.ts';

describe('the documented problems', () => {
  test('every problem example is a problem the server really produces for that status', () => {
    const httpKinds: HttpProblemKind[] = [
      'MalformedRequest',
      'UnsupportedMediaType',
      'PayloadTooLarge',
      'NotFound',
      'MethodNotAllowed',
      'BadGateway',
    ];
    const failures: unknown[] = [
      new ItemNotFound('x'),
      new InvalidKey('x'),
      new InvalidItem('x'),
      new InvalidPageRequest('x'),
      new InvalidIdempotencyKey('x'),
      new IdempotencyConflict('x'),
      new StoreUnavailable(1),
      new ShuttingDown(1),
      new AuthenticationRequired(),
      new InvalidToken('expired'),
      new InsufficientScope(SCOPES.read, { subject: 'x', clientId: undefined, scopes: [] }),
      new AuthUnavailable(),
      new Error('anything else'),
      ...httpKinds.map((kind) => new HttpProblem(kind, 'x')),
    ];
    const real = new Set(
      failures.map((failure) => {
        const { body } = problemFor(failure, 'id');
        return `${body.status} ${body.type} ${body.title}`;
      }),
    );
    const responses = [
      ...operationList.flatMap((op) => Object.entries(op.responses)),
      ...Object.entries(routeProblems),
    ];
    for (const [status, response] of responses) {
      if (Number(status) < 400) continue;
      for (const example of Object.values(response.examples)) {
        const problem = example.value as Problem;
        expect(problem.status).toBe(Number(status));
        expect(real).toContain(`${problem.status} ${problem.type} ${problem.title}`);
      }
    }
  });
});
