import type { APIResponse } from '@playwright/test';
import {
  type OperationName,
  type OperationSpec,
  operations,
  type ResponseSpec,
} from '../contracts/operations.ts';
import type { Problem } from '../contracts/problem.ts';
import { SCOPES } from '../contracts/scopes.ts';
import { accessToken, claimsOf } from './support/auth.ts';
import { expectResponse, expectSpec } from './support/contract.ts';
import { deletePath, expect, itemPath, NO_DELETE, test, unique } from './support/items.ts';

/**
 * Tokens and scopes, through the same edge as every other call: 401 without a token, 403
 * with one that lacks the operation's scope, `created_by` from the token's subject, and
 * idempotency keys that belong to their caller.
 */
/** A 401 or 403 checked against the contract of whichever protected operation answered it. */
async function expectRefusal(
  response: APIResponse,
  operation: OperationName,
  status: 401 | 403,
): Promise<Problem> {
  const spec = (operations[operation] as OperationSpec).responses[status] as ResponseSpec;
  return (await expectSpec(response, spec, status)) as Problem;
}

test.describe('authentication', () => {
  test.beforeEach(({ auth }) => {
    test.skip(auth.mode === 'none', 'AUTH_MODE=none: the target checks no tokens');
  });

  const calls: [OperationName, string, string][] = [
    ['listItems', 'GET', '/picus/list'],
    ['getItem', 'GET', itemPath('some-key')],
    ['putItem', 'POST', '/picus/put'],
    ['deleteItem', 'DELETE', deletePath('some-key')],
  ];

  for (const [operation, method, path] of calls) {
    // The container alone (SMOKE_NO_DELETE=1) does not serve DELETE at all.
    const served = method !== 'DELETE' || !NO_DELETE;
    test(`${method} ${operations[operation].path} without a token is 401 with a Bearer challenge`, {
      tag: '@smoke',
    }, async ({ anonymous }) => {
      test.skip(!served, 'SMOKE_NO_DELETE=1: the target does not serve DELETE');
      const response = await anonymous.fetch(path, {
        method,
        headers: { 'content-type': 'application/json' },
        data: method === 'POST' ? { a: 1 } : undefined,
      });
      const problem = await expectRefusal(response, operation, 401);
      expect(problem.type).toBe('urn:picus:problem:authentication-required');
      expect(response.headers()['www-authenticate']).toBe('Bearer realm="picus"');
    });

    test(`${method} ${operations[operation].path} with a token that is not valid is 401 invalid_token`, async ({
      anonymous,
    }) => {
      test.skip(!served, 'SMOKE_NO_DELETE=1: the target does not serve DELETE');
      const response = await anonymous.fetch(path, {
        method,
        headers: {
          authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl',
          'content-type': 'application/json',
        },
        data: method === 'POST' ? { a: 1 } : undefined,
      });
      await expectRefusal(response, operation, 401);
      expect(response.headers()['www-authenticate']).toBe('Bearer realm="picus", error="invalid_token"');
    });
  }

  test('a token without the operation’s scope is 403 naming the scope it needs', async ({
    auth,
    anonymous,
  }) => {
    const client = auth.client as NonNullable<typeof auth.client>;
    const readOnly = { authorization: `Bearer ${await accessToken(auth, client, SCOPES.read)}` };
    const writeOnly = { authorization: `Bearer ${await accessToken(auth, client, SCOPES.write)}` };
    const refused: [OperationName, Promise<APIResponse>, string][] = [
      ['putItem', anonymous.post('/picus/put', { headers: readOnly, data: { a: 1 } }), SCOPES.write],
      ['deleteItem', anonymous.delete(deletePath('some-key'), { headers: readOnly }), SCOPES.delete],
      ['listItems', anonymous.get('/picus/list', { headers: writeOnly }), SCOPES.read],
      ['getItem', anonymous.get(itemPath('some-key'), { headers: writeOnly }), SCOPES.read],
    ];
    for (const [operation, pending, scope] of refused) {
      if (operation === 'deleteItem' && NO_DELETE) continue;
      const response = await pending;
      const problem = await expectRefusal(response, operation, 403);
      expect(problem.type).toBe('urn:picus:problem:insufficient-scope');
      expect(response.headers()['www-authenticate']).toBe(
        `Bearer realm="picus", error="insufficient_scope", scope="${scope}"`,
      );
    }
    await expectResponse(await anonymous.get('/picus/list', { headers: readOnly }), 'listItems', 200);
  });

  test('the item records who created it: the token’s subject', { tag: '@smoke' }, async ({ items, auth }) => {
    const subject = claimsOf(await accessToken(auth, auth.client as NonNullable<typeof auth.client>)).sub;
    const created = await items.create({ marker: unique('created-by') });
    const item = await expectResponse(await items.get(created.object_id), 'getItem', 200);
    expect(item.created_by).toBe(subject as string);
  });

  test('an Idempotency-Key belongs to its caller: another client’s equal key is another item', async ({
    items,
    auth,
    anonymous,
  }) => {
    test.skip(
      auth.otherClient === undefined,
      'no second client (AUTH_OTHER_CLIENT_ID / AUTH_OTHER_CLIENT_SECRET)',
    );
    const key = unique('shared-key');
    const mine = await items.create({ owner: 'me' }, { idempotencyKey: key });
    const other = {
      authorization: `Bearer ${await accessToken(auth, auth.otherClient as NonNullable<typeof auth.otherClient>)}`,
    };
    const theirs = await anonymous.post('/picus/put', {
      headers: { ...other, 'idempotency-key': key },
      data: { owner: 'them' },
    });
    const created = await expectResponse(theirs, 'putItem', 201);
    expect(theirs.headers()['idempotent-replayed']).toBeUndefined();
    expect(created.object_id).not.toBe(mine.object_id);
    await expectResponse(
      await anonymous.delete(deletePath(created.object_id), { headers: other }),
      'deleteItem',
      200,
    );
    const replay = await items.put({ owner: 'me' }, { idempotencyKey: key });
    expect((await expectResponse(replay, 'putItem', 201)).object_id).toBe(mine.object_id);
    expect(replay.headers()['idempotent-replayed']).toBe('true');
  });
});
