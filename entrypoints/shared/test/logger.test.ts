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
