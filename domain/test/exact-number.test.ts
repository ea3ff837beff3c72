import { describe, expect, test } from 'bun:test';
import fc from 'fast-check';
import { canonicalNumber, parseExactJson } from '../exact-number.ts';
import { sameJson } from '../idempotency.ts';
import type { JsonValue } from '../item.ts';
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
