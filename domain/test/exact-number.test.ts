import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { canonicalNumber, parseExactJson } from '../exact-number.ts';
import { sameJson } from '../idempotency.ts';
import type { JsonObject, JsonValue } from '../item.ts';
import { storableData } from '../item-rules.ts';

const canonical = (text: string) => {
  const result = canonicalNumber(text);
  return 'text' in result ? result.text : `refused: ${result.refusal}`;
};

describe('canonicalNumber', () => {
  test.each([
    ['9007199254740993', '9007199254740993'],
    ['12345678901234567890123', '1.2345678901234567890123e+22'],
    ['3.1415926535897932384626433832795028841', '3.1415926535897932384626433832795028841'],
    ['1.50', '1.5'],
    ['-0', '0'],
    ['-0.000', '0'],
    ['0e99999', '0'],
    ['100', '100'],
    ['1E5', '100000'],
    ['12e-3', '0.012'],
    ['0.000001', '0.000001'],
    ['0.0000001', '1e-7'],
    ['123456789012345678901', '123456789012345678901'],
    ['1234567890123456789012', '1.234567890123456789012e+21'],
    ['-1e21', '-1e+21'],
    ['9.9999999999999999999999999999999999999e125', '9.9999999999999999999999999999999999999e+125'],
    ['1e-130', '1e-130'],
    ['-12345678901234567890123456789012345678', '-1.2345678901234567890123456789012345678e+37'],
  ])('%s is %s', (text, expected) => {
    expect(canonical(text)).toBe(expected);
  });

  test.each([
    ['1e-400', 'at least 1e-130'],
    ['5e-324', 'at least 1e-130'],
    ['9.99e-131', 'at least 1e-130'],
    ['1e126', 'less than 1e126'],
    ['1e99999999999999999999', 'less than 1e126'],
    ['1.23456789012345678901234567890123456789', 'at most 38 significant digits'],
    ['123456789012345678901234567890123456789', 'at most 38 significant digits'],
  ])('%s is refused (%s)', (text, reason) => {
    expect(canonical(text)).toStartWith('refused');
    expect(canonical(text)).toContain(reason);
  });

  test('38 significant digits are kept however they are padded', () => {
    expect(canonical('0.0012345678901234567890123456789012345678000')).toBe(
      '0.0012345678901234567890123456789012345678',
    );
  });

  test('for every double, the canonical text is what JavaScript writes (JSON.stringify agrees)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -9e125, max: 9e125 }), (d) => {
        const magnitude = Math.abs(d);
        fc.pre(magnitude === 0 || magnitude >= 1e-130);
        expect(canonical(String(d))).toBe(Object.is(d, -0) ? '0' : String(d));
      }),
      { numRuns: 2000 },
    );
  });

  test('canonical texts are canonical', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 38 }), fc.integer({ min: -120, max: 80 }), (digits, exponent) => {
        const text = `${'7'.repeat(digits)}e${exponent}`;
        const once = canonical(text);
        expect(canonical(once)).toBe(once);
      }),
    );
  });
});

describe('parsing and storing item data', () => {
  test('numbers keep their source text through parsing and come out canonical when stored', () => {
    const parsed = parseExactJson('{"n":9007199254740993,"l":[1.50,-0],"s":"1e400"}');
    expect(JSON.stringify(parsed)).toBe('{"n":9007199254740993,"l":[1.50,-0],"s":"1e400"}');
    expect(JSON.stringify(storableData(parsed))).toBe('{"n":9007199254740993,"l":[1.5,0],"s":"1e400"}');
  });

  test('equal decimal values are the same JSON; a different last digit is not', () => {
    const a = storableData(parseExactJson('{"n":9007199254740993,"x":1.50}')) as JsonValue;
    const b = storableData(parseExactJson('{"x":1.5,"n":9007199254740993}')) as JsonValue;
    const c = storableData(parseExactJson('{"n":9007199254740992,"x":1.5}')) as JsonValue;
    expect(sameJson(a, b)).toBe(true);
    expect(sameJson(a, c)).toBe(false);
    // A plain double and the exact text of the same value are equal too.
    expect(sameJson({ n: 1.5 }, storableData({ n: 1.5 }) as JsonValue)).toBe(true);
  });
});

describe('the JSON.parse fast path (texts whose numbers a double keeps)', () => {
  /** What storing the number written as `text` gives, or why it is refused. */
  const stored = (text: string): string => {
    try {
      return JSON.stringify(storableData(parseExactJson(`{"n":${text},"s":"${text}"}`)));
    } catch (error) {
      return `refused: ${(error as Error).message}`;
    }
  };
  const expected = (text: string): string => {
    const number = canonical(text);
    return number.startsWith('refused: ') ? number : `{"n":${number},"s":"${text}"}`;
  };

  test.each([
    ['42'],
    ['19.99'],
    ['0.1'],
    ['1e+21'],
    ['1e-7'],
    ['-3.5'],
    ['9007199254740993'],
    ['123456789012345678'],
    ['1.50'],
    ['-0'],
    ['1E2'],
    ['1e-400'],
    ['5e-324'],
    ['1e126'],
    ['3.14159265358979323846264'],
    ['0.000001'],
    ['0.0000001'],
    ['-0.5'],
    ['0.50'],
    ['-0.0'],
    ['123456789012345'],
    ['1234567890123456'],
    ['12345678901234567'],
    ['0.123456789012345'],
    ['0.1234567890123456'],
    ['98765.4321098765'],
    ['0.30000000000000004'],
  ])('%s stores as its canonical decimal, fast path or not', (text) => {
    expect(stored(text)).toBe(expected(text));
  });

  test('any number text: the same stored value as its canonical decimal', () => {
    const numberText = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^(0|[1-9]\d{0,25})$/),
        fc.option(fc.stringMatching(/^\d{1,20}$/), { nil: undefined }),
        fc.option(fc.integer({ min: -340, max: 340 }), { nil: undefined }),
      )
      .map(
        ([negative, whole, fraction, exponent]) =>
          `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}${exponent === undefined ? '' : `e${exponent}`}`,
      );
    fc.assert(
      fc.property(numberText, (text) => stored(text) === expected(text)),
      { numRuns: 5_000 },
    );
  });

  test('digits inside strings only make it cautious: the strings stay strings', () => {
    const parsed = parseExactJson('{"a":"1.50","b":"x-0y","n":1.5}') as Record<string, unknown>;
    expect(parsed.a).toBe('1.50');
    expect(parsed.b).toBe('x-0y');
    expect(JSON.stringify(parsed)).toBe('{"a":"1.50","b":"x-0y","n":1.5}');
  });

  test('storing copies only what it rewrites, and never changes what it was given', () => {
    const canonicalData: unknown = parseExactJson('{"n":42,"l":[1,"a",{"b":2.5}],"o":{"x":null,"t":true}}');
    expect(storableData(canonicalData)).toBe(canonicalData as JsonObject);
    const source = '{"keep":{"x":["a",true]},"l":[1,{"z":-0}],"n":1.50,"__proto__":{"p":"q"}}';
    const rewritten = parseExactJson(source) as Record<string, unknown>;
    const stored = storableData(rewritten) as Record<string, unknown>;
    expect(stored).not.toBe(rewritten);
    expect(JSON.stringify(rewritten)).toBe(source);
    expect(JSON.stringify(stored)).toBe(
      '{"keep":{"x":["a",true]},"l":[1,{"z":0}],"n":1.5,"__proto__":{"p":"q"}}',
    );
    // What needed no rewrite is shared; `__proto__` stays an own member, not the copy's prototype.
    expect(stored.keep).toBe(rewritten.keep);
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
  });
});
