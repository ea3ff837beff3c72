import { z } from 'zod';

/**
 * Query parameters as they arrive: text, and an array when the parameter is repeated. Each
 * parameter of the API has one value, so a repeat is refused by name rather than reported as
 * whatever the value schema makes of an array.
 */
export function singleValued<T extends z.ZodType>(name: string, schema: T) {
  return z.preprocess((value, ctx) => {
    if (!Array.isArray(value)) return value;
    ctx.addIssue({ code: 'custom', message: `${name} given more than once`, input: value });
    return z.NEVER;
  }, schema);
}

/**
 * A positive integer in `[min, max]` written as plain decimal digits (`[1-9][0-9]*`): not `0x10`,
 * `1e2`, ` 1` or `1.0`, which a numeric coercion would accept. The schema the documentation shows
 * is the integer's.
 */
export function strictInteger(name: string, min: number, max: number) {
  const message = `${name} must be an integer from ${min} to ${max}`;
  return singleValued(
    name,
    z.preprocess(
      (value, ctx) => {
        if (typeof value !== 'string') return value;
        const parsed = /^[1-9][0-9]*$/.test(value) ? Number(value) : Number.NaN;
        if (parsed >= min && parsed <= max) return parsed;
        ctx.addIssue({ code: 'custom', message, input: value });
        return z.NEVER;
      },
      z.int().min(min, message).max(max, message),
    ),
  );
}
