/**
 * JSON numbers kept exactly. A JavaScript number is a double: 9007199254740993 reads as
 * …992 and 3.14159265358979323846 loses its tail, while DynamoDB holds 38 significant decimal
 * digits exactly. So item data carries numbers as their decimal text, in the form JSON itself
 * has for that (`JSON.rawJSON`, ECMAScript's JSON.parse source text access): `JSON.stringify`
 * writes the text as is, and nothing on the way rounds it.
 *
 * What DynamoDB cannot hold exactly is refused, never changed: more than 38 significant digits,
 * a magnitude from 1e126 up, or below 1e-130 but not zero. What it normalizes, we normalize the
 * same way, so both stores give back the same text: insignificant zeros go (1.50 is 1.5, -0 is
 * 0), and the canonical text is JavaScript's own number notation (plain up to 21 integer digits,
 * exponent form beyond that and below 1e-6), which is what JSON.stringify wrote for every number
 * a double could hold exactly.
 */

declare global {
  interface JSON {
    rawJSON(text: string): ExactNumber;
    isRawJSON(value: unknown): boolean;
  }
}

/** A JSON number as its decimal text (a frozen `JSON.rawJSON` object). */
export interface ExactNumber {
  readonly rawJSON: string;
}

export const MAX_SIGNIFICANT_DIGITS = 38;
/** The decimal exponent of a stored number's first digit: 1e-130 ≤ |x| < 1e126. */
const MIN_LEADING_EXPONENT = -130;
const MAX_LEADING_EXPONENT = 125;

const JSON_NUMBER = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export function isExactNumber(value: unknown): value is ExactNumber {
  return typeof value === 'object' && value !== null && JSON.isRawJSON(value);
}

/** The decimal value of a JSON number's text: significant digits and the exponent of the first. */
interface Decimal {
  readonly negative: boolean;
  /** No leading or trailing zeros; empty for zero. */
  readonly digits: string;
  /** Exponent of the first digit: the value is 0.d₁d₂… × 10^(exponent + 1). */
  readonly exponent: number;
}

function decimalOf(text: string): Decimal | undefined {
  const match = JSON_NUMBER.exec(text);
  if (!match) return undefined;
  const [, sign, whole, fraction = '', exponentText = '0'] = match as unknown as [
    string,
    string,
    string,
    string?,
    string?,
  ];
  const all = whole + fraction;
  const first = all.search(/[1-9]/);
  if (first < 0) return { negative: false, digits: '', exponent: 0 };
  const digits = all.slice(first).replace(/0+$/, '');
  // Exponents beyond any storable number are refused below; clamp so huge texts cannot overflow.
  const written = Math.max(-1e6, Math.min(1e6, Number(exponentText)));
  return { negative: sign === '-', digits, exponent: whole.length - 1 - first + written };
}

export type CanonicalNumber = { readonly text: string } | { readonly refusal: string };

/** The canonical text of a number DynamoDB can hold exactly, or why it cannot. */
export function canonicalNumber(text: string): CanonicalNumber {
  const decimal = decimalOf(text);
  if (decimal === undefined) return { refusal: `${text.slice(0, 40)} is not a JSON number.` };
  const { negative, digits, exponent } = decimal;
  if (digits === '') return { text: '0' };
  if (digits.length > MAX_SIGNIFICANT_DIGITS) {
    return { refusal: `Numbers may have at most ${MAX_SIGNIFICANT_DIGITS} significant digits.` };
  }
  if (exponent > MAX_LEADING_EXPONENT) return { refusal: 'Numbers must be less than 1e126 in magnitude.' };
  if (exponent < MIN_LEADING_EXPONENT) {
    return { refusal: 'Non-zero numbers must be at least 1e-130 in magnitude.' };
  }
  return { text: (negative ? '-' : '') + notation(digits, exponent) };
}

/** ECMAScript Number::toString's layout for a given digit string (ECMA-262 §6.1.6.1.20). */
function notation(digits: string, exponent: number): string {
  const k = digits.length;
  const n = exponent + 1;
  if (k <= n && n <= 21) return digits + '0'.repeat(n - k);
  if (0 < n && n <= 21) return `${digits.slice(0, n)}.${digits.slice(n)}`;
  if (-6 < n && n <= 0) return `0.${'0'.repeat(-n)}${digits}`;
  const power = n - 1 < 0 ? `-${1 - n}` : `+${n - 1}`;
  return k === 1 ? `${digits}e${power}` : `${digits[0]}.${digits.slice(1)}e${power}`;
}

/** A canonical number as item data. */
export function exactNumber(canonicalText: string): ExactNumber {
  return JSON.rawJSON(canonicalText);
}

/** The decimal text of any JSON number value (an ExactNumber, or a double as JavaScript writes it). */
export function numberText(value: number | ExactNumber): string {
  return typeof value === 'number' ? String(value) : value.rawJSON;
}

/**
 * JSON text to values, every number an ExactNumber of its source text (not yet canonical: the
 * domain checks and normalizes item data when it stores it). Throws SyntaxError like JSON.parse,
 * and RangeError when the nesting exhausts the parser's stack.
 */
export function parseExactJson(text: string): unknown {
  return JSON.parse(text, keepNumberText);
}

function keepNumberText(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  return typeof value === 'number' && context?.source !== undefined ? JSON.rawJSON(context.source) : value;
}
