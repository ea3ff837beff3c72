import fc from 'fast-check';

/** Keys as hostile clients send them: unicode, stray and valid %-escapes, dot segments, huge, empty. */
export const hostileKey = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => encodeURIComponent(s.isWellFormed() ? s : 'x')),
  fc.constantFrom(
    '',
    '..',
    '.',
    '%',
    '%2',
    '%zz',
    '%ED%A0%80',
    '%E0%A4%A',
    '%2F',
    'a%2Fb',
    '..%2F..',
    '%00',
    '%25',
  ),
  fc.integer({ min: 1000, max: 1100 }).map((n) => 'k'.repeat(n)),
  fc.uuid(),
);

/** Paths around the API's resources, and some that are nowhere near them. */
export const hostilePath = fc.oneof(
  hostileKey.map((k) => `/picus/get/${k}`),
  hostileKey.map((k) => `/picus/${k}`),
  fc.constantFrom('/health', '/ready', '/picus/list', '/picus/put', '/picus', '/picus/', '/', '/picus/get'),
  fc.tuple(hostileKey, hostileKey).map(([a, b]) => `/picus/${a}/${b}`),
  fc.webPath(),
);

const asciiText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 80,
});

export const hostileQuery = fc.oneof(
  fc.constant(''),
  fc.integer({ min: -5, max: 2000 }).map((n) => `?limit=${n}`),
  asciiText.map((s) => `?limit=${encodeURIComponent(s)}`),
  asciiText.map((s) => `?cursor=${encodeURIComponent(s)}`),
  fc.base64String({ maxLength: 60 }).map((s) => `?cursor=${encodeURIComponent(s)}&limit=2`),
  fc.constant('?limit=1&limit=2'),
);

export const hostileContentType = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/json; charset=utf-16',
    'application/problem+json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
    '',
  ),
  { nil: undefined },
);

const deep = (depth: number, open: string, close: string, inner = '1') =>
  open.repeat(depth) + inner + close.repeat(depth);

/** Bodies: valid JSON of every shape, and bytes that are not JSON or not UTF-8. */
export const hostileBody: fc.Arbitrary<string | Uint8Array | undefined> = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ data: v })),
  fc.uint8Array({ maxLength: 64 }),
  fc.integer({ min: 1, max: 60 }).map((d) => `{"a":${deep(d, '{"a":', '}')}}`),
  fc.integer({ min: 1, max: 40 }).map((d) => `{"a":${deep(d, '[', ']')}}`),
  fc.constantFrom(
    '',
    ' ',
    '{',
    '{"a":1,"a":2}',
    '{"__proto__":{"polluted":1}}',
    '{"constructor":{"prototype":{"polluted":1}}}',
    '{"n":1e400}',
    '{"n":-1e999}',
    '{"n":123456789012345678901234567890}',
    '{"n":1e-400}',
    '{"":1}',
    '{"s":"\\ud800"}',
    '[]',
    '[1,2]',
    '"text"',
    '42',
    'null',
    'true',
    '\ufeff{}',
  ),
  fc.constant(undefined),
);

export const hostileHeaderValue = asciiText;

/**
 * Authorization headers: mostly a valid token with every scope (so requests reach the API
 * behind the check), else the other prepared tokens (read-only, expired, another issuer's),
 * none, another scheme, or garbage after `Bearer`.
 */
export function hostileAuthorization(valid: string, others: readonly string[]) {
  return fc.oneof(
    { arbitrary: fc.constant(`Bearer ${valid}`), weight: 6 },
    { arbitrary: fc.constantFrom(...others.map((t) => `Bearer ${t}`)), weight: 2 },
    { arbitrary: fc.constant(undefined), weight: 1 },
    {
      arbitrary: fc.constantFrom('Basic cGljdXM6eA==', 'bearer', 'Bearer', 'Bearer a.b.c', 'Token x'),
      weight: 1,
    },
    { arbitrary: hostileHeaderValue.map((v) => `Bearer ${v}`), weight: 1 },
  );
}
