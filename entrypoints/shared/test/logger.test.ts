import { describe, expect, test } from 'bun:test';
import { createLogger, type LogLevel } from '../logger.ts';

const entry = (status: number) => ({ request_id: 'r', method: 'GET', path: '/x', status, latency_ms: 1 });

describe('request log lines', () => {
  test.each([
    ['debug', true, true],
    ['info', true, true],
    ['warn', false, true],
    ['error', false, true],
    ['silent', false, false],
  ] as const)('%s: 2xx logged %p, 5xx logged %p, and logsRequest says so beforehand', (level, ok, failed) => {
    const lines: string[] = [];
    const logger = createLogger(level as LogLevel, (line) => lines.push(line));
    expect(logger.logsRequest(200)).toBe(ok);
    expect(logger.logsRequest(503)).toBe(failed);
    logger.request(entry(200));
    logger.request(entry(503));
    expect(lines.map((line) => JSON.parse(line).status)).toEqual([
      ...(ok ? [200] : []),
      ...(failed ? [503] : []),
    ]);
    if (failed) expect(JSON.parse(lines.at(-1) as string).level).toBe('error');
  });
});

describe('metrics in request lines (APP_METRICS)', () => {
  const metrics = { directive: '[]', members: '"Operation":"get","Requests":1' };

  test('on by default: the line starts with the EMF metadata and carries the members', () => {
    const lines: string[] = [];
    createLogger('info', (line) => lines.push(line)).request(entry(200), metrics);
    expect(lines[0]?.startsWith('{"_aws":{"Timestamp":')).toBe(true);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ status: 200, Operation: 'get', Requests: 1 });
  });

  test('off: the same line without them', () => {
    const lines: string[] = [];
    createLogger('info', (line) => lines.push(line), { metrics: false }).request(entry(200), metrics);
    const line = JSON.parse(lines[0] as string);
    expect(line).toMatchObject({ status: 200, request_id: 'r' });
    expect(line._aws).toBeUndefined();
    expect(line.Operation).toBeUndefined();
  });
});

describe('a request line is the entry serialized', () => {
  // The line is written member by member for speed; it must be exactly what serializing says.
  const odd = [
    '',
    'plain',
    'quote " and \\ backslash',
    'new\nline\ttab\u0000nul',
    'ünïcödé ☃ 𝄞',
    '\ud800 lone',
    '</script>',
  ];
  const entries = odd.flatMap((text, i) => [
    { request_id: text, method: 'GET', path: `/picus/get/${text}`, status: 200, latency_ms: i / 7 },
    {
      request_id: 'r',
      method: text,
      path: text,
      status: 503,
      latency_ms: 0,
      client_id: text,
      sub: `${text}-sub`,
      error: `Error: ${text}`,
    },
    { request_id: 'r', method: 'GET', path: '/x', status: 499, latency_ms: Number.NaN, sub: text },
  ]);

  test.each([true, false])('with metrics %p: the same text as JSON.stringify of the line', (metrics) => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line), { metrics });
    const emf = { directive: '[{"Namespace":"picus"}]', members: '"Operation":"get","Requests":1' };
    for (const entry of entries) {
      lines.length = 0;
      logger.request(entry, emf);
      const line = lines[0] as string;
      expect(line.endsWith('}\n')).toBe(true);
      const { _aws, time, level, ...rest } = JSON.parse(line);
      const expected = metrics
        ? { _aws, time, level, ...entry, Operation: 'get', Requests: 1 }
        : { time, level, ...entry };
      expect(line).toBe(`${JSON.stringify(expected)}\n`);
      expect(rest.path).toBe(entry.path);
    }
  });
});
