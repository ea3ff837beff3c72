import { MAX_BODY_BYTES } from '../domain/item-rules.ts';
import { expectSizeRefusal } from './support/contract.ts';
import { deletePath, expect, itemPath, NO_DELETE, test, unique } from './support/items.ts';

/**
 * Over a size limit, through whatever edge the target has. The app answers with its problem
 * (413, 400); a deployment's WAF may refuse first, which is just as right: neither answer fails
 * the run, and WAF's never rolls a deploy back (see expectSizeRefusal). What must never happen
 * is that such a request is served.
 */
test.describe('size limits', () => {
  test('requests over a size limit are refused by the app or at the edge', { tag: '@smoke' }, async ({
    items,
    request,
  }) => {
    const body = JSON.stringify({ marker: unique('oversize'), pad: 'x'.repeat(MAX_BODY_BYTES) });
    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_BODY_BYTES);
    await expectSizeRefusal(await items.put(body), 'putItem', 413, `a ${Buffer.byteLength(body)}-byte body`);

    const key = 'k'.repeat(1025);
    await expectSizeRefusal(await request.get(itemPath(key)), 'getItem', 400, 'GET with a 1025-byte key');
    if (!NO_DELETE)
      await expectSizeRefusal(
        await request.delete(deletePath(key)),
        'deleteItem',
        400,
        'DELETE with a 1025-byte key',
      );
    await expectSizeRefusal(
      await request.get(`/picus/list?cursor=${'A'.repeat(5000)}`),
      'listItems',
      400,
      'a 5000-character cursor',
    );
    expect(items.created.size, 'an oversized put created an item').toBe(0);
  });
});
