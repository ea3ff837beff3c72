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

const TOO_LARGE = 'Numbers must be less than 1e126 in magnitude.';
const TOO_SMALL = 'Non-zero numbers must be at least 1e-130 in magnitude.';

const JSON_NUMBER = /^(?<sign>-?)(?<whole>0|[1-9]\d*)(?:\.(?<fraction>\d+))?(?:[eE](?<exponent>[+-]?\d+))?$/;

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
  const groups = JSON_NUMBER.exec(text)?.groups;
  if (groups === undefined) return undefined;
  const { sign, whole = '0', fraction = '', exponent: exponentText = '0' } = groups;
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
  if (exponent > MAX_LEADING_EXPONENT) return { refusal: TOO_LARGE };
  if (exponent < MIN_LEADING_EXPONENT) return { refusal: TOO_SMALL };
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

/**
 * The value item data holds for a canonical number text: the double itself when it writes back
 * as exactly that text (most numbers: `42`, `19.99`), else the text as an ExactNumber. Either
 * way JSON.stringify writes the same text, and a double is the cheaper to carry and write.
 */
export function numberValue(canonicalText: string): number | ExactNumber {
  const double = Number(canonicalText);
  return String(double) === canonicalText ? double : exactNumber(canonicalText);
}

/**
 * Why DynamoDB cannot hold a double's value, or undefined when it can: the same verdict as
 * `canonicalNumber(String(value))` (a double's shortest text has at most 17 significant digits,
 * and comparing doubles is comparing the decimals they write as), without parsing text.
 */
export function doubleRefusal(value: number): string | undefined {
  if (!Number.isFinite(value)) return 'Numbers must be finite.';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e126) return TOO_LARGE;
  if (magnitude !== 0 && magnitude < 1e-130) return TOO_SMALL;
  return undefined;
}

/** The decimal text of any JSON number value (an ExactNumber, or a double as JavaScript writes it). */
export function numberText(value: number | ExactNumber): string {
  return typeof value === 'number' ? String(value) : value.rawJSON;
}

/**
 * JSON text to values that keep every number's exact decimal value (not yet canonical: the
 * domain checks and normalizes item data when it stores it). Throws SyntaxError like JSON.parse,
 * and RangeError when the nesting exhausts the parser's stack.
 *
 * A number is an ExactNumber of its source text, unless the text is already what JavaScript
 * writes for the double it reads as (`42`, `19.99`, `1e+21`): then that double is the same
 * decimal value, and the text is parsed by JSON.parse alone. A reviver costs JSC about 1 µs for
 * even a small body, most of a put's parsing (bun scripts/bench/exact-numbers.ts), so it runs
 * only for texts with a number a double would change.
 */
export function parseExactJson(text: string): unknown {
  return everyNumberIsItsDouble(text) ? JSON.parse(text) : JSON.parse(text, keepNumberText);
}

const QUOTE = 34;
const BACKSLASH = 92;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const DOT = 46;
const PLUS = 43;
const LOWER_E = 101;
const UPPER_E = 69;

/**
 * Whether every number token of the JSON text (strings skipped) reads as a double that writes
 * back as the same text. Text that is not JSON may answer either way, harmlessly: JSON.parse
 * throws on it whichever way it is parsed.
 */
function everyNumberIsItsDouble(text: string): boolean {
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      while (end > 0 && isEscaped(text, end)) end = text.indexOf('"', end + 1);
      if (end < 0) return true;
      i = end + 1;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (
          (d < ZERO || d > NINE) &&
          d !== DOT &&
          d !== LOWER_E &&
          d !== UPPER_E &&
          d !== PLUS &&
          d !== MINUS
        ) {
          break;
        }
      }
      if (!writesBackAsItself(text, start, i)) return false;
    } else {
      i++;
    }
  }
  return true;
}

/**
 * Whether the number token text[start, end) is what JavaScript writes for the double it reads
 * as. Decided without converting for the common shapes: a decimal of at most 15 significant
 * digits (a double holds 15 exactly, so its shortest text is those digits) in plain notation
 * (no exponent, no leading or trailing zeros, at least 1e-6) always is; anything else is
 * converted and compared.
 */
function writesBackAsItself(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start) === MINUS ? start + 1 : start;
  let dot = -1;
  let plain = true;
  for (let k = first; k < end && plain; k++) {
    const d = text.charCodeAt(k);
    if (d === DOT && dot < 0) dot = k;
    else if (d < ZERO || d > NINE) plain = false;
  }
  const integerDigits = (dot < 0 ? end : dot) - first;
  const leadingZero = text.charCodeAt(first) === ZERO;
  if (plain && integerDigits >= 1 && !(leadingZero && integerDigits > 1)) {
    if (dot < 0) {
      // `-0` writes back as `0`.
      if (integerDigits <= 15 && !(leadingZero && first !== start)) return true;
    } else if (dot < end - 1 && text.charCodeAt(end - 1) !== ZERO) {
      let zeros = 0;
      if (leadingZero) while (text.charCodeAt(dot + 1 + zeros) === ZERO) zeros++;
      const significant = leadingZero ? end - dot - 1 - zeros : integerDigits + (end - dot - 1);
      if (zeros <= 5 && significant <= 15) return true;
    }
  }
  const token = text.slice(start, end);
  return String(Number(token)) === token;
}

/** Whether the quote at `at` is escaped (an odd number of backslashes before it). */
function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}

function keepNumberText(this: unknown, _key: string, value: unknown, context?: { source?: string }): unknown {
  return typeof value === 'number' && context?.source !== undefined ? JSON.rawJSON(context.source) : value;
}
