import { MAX_BODY_BYTES } from '../domain/item-rules.ts';
import { expectResponse, expectSizeRefusal } from './support/contract.ts';
import { expect, test, unique } from './support/items.ts';

/** A JSON object of exactly `bytes` bytes. */
function objectOfSize(bytes: number): string {
  const shell = JSON.stringify({ marker: unique('size'), pad: '' });
  return `${shell.slice(0, -2)}${'x'.repeat(bytes - shell.length)}"}`;
}

test.describe('POST /picus/put rejects bad input', () => {
  test('malformed JSON is 400', async ({ items }) => {
    for (const body of ['{"a":', '{a: 1}', "{'a': 1}", '', '{"a": 1}}', '{"a": NaN}']) {
      const problem = await expectResponse(await items.put(body), 'putItem', 400);
      expect(problem.type, JSON.stringify(body)).toBe('urn:picus:problem:malformed-request');
    }
  });

  test('bytes that are not UTF-8 are 400', async ({ items }) => {
    const body = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}
    await expectResponse(await items.put(body), 'putItem', 400);
  });

  test('JSON that is not an object is 422', async ({ items }) => {
    for (const body of ['[]', '[{"a":1}]', '"text"', '42', 'null', 'true']) {
      const problem = await expectResponse(await items.put(body), 'putItem', 422);
      expect(problem.type, body).toBe('urn:picus:problem:invalid-item');
    }
  });

  test('nesting deeper than 32 levels is 422; 32 is fine', async ({ items }) => {
    const nested = (levels: number) => `${'{"a":'.repeat(levels - 1)}{}${'}'.repeat(levels - 1)}`;
    await expectResponse(await items.put(`{"marker":"${unique('deep')}","d":${nested(31)}}`), 'putItem', 201);
    await expectResponse(await items.put(nested(33)), 'putItem', 422);
    await expectResponse(await items.put(`{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`), 'putItem', 422);
  });

  test('a Content-Type that is not JSON is 415', async ({ items }) => {
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/jsonx',
      'application/json; charset=latin1',
    ]) {
      const response = await items.put('{}', { headers: { 'content-type': contentType } });
      await expectResponse(response, 'putItem', 415);
    }
  });

  test('JSON media types with parameters or a +json suffix are accepted', async ({ items }) => {
    for (const contentType of ['application/json; charset=utf-8', 'application/vnd.picus+json']) {
      const body = JSON.stringify({ marker: unique('media') });
      await expectResponse(
        await items.put(body, { headers: { 'content-type': contentType } }),
        'putItem',
        201,
      );
    }
  });

  test(`a body over ${MAX_BODY_BYTES} bytes is 413; exactly ${MAX_BODY_BYTES} is fine`, async ({ items }) => {
    const atLimit = objectOfSize(MAX_BODY_BYTES);
    expect(Buffer.byteLength(atLimit)).toBe(MAX_BODY_BYTES);
    await expectResponse(await items.put(atLimit), 'putItem', 201);
    for (const bytes of [MAX_BODY_BYTES + 1, 4 * MAX_BODY_BYTES])
      await expectSizeRefusal(await items.put(objectOfSize(bytes)), 'putItem', 413, `a ${bytes}-byte body`);
  });
});
