/**
 * What a request's log line costs with its EMF metrics and without (APP_METRICS), in one run:
 * the same `logRequest` the container and the Lambda call, at info level, each line written
 * to a pipe that a child process drains (as the awslogs driver reads a task's stdout). Prints
 * nanoseconds per line and the ratio; `bun run bench` measures the same at the HTTP level.
 *
 *   bun scripts/bench/log-line.ts [--rounds=5]
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, type Logger } from '../../entrypoints/shared/logger.ts';
import { type AnsweredRequest, logRequest } from '../../entrypoints/shared/request-log.ts';
import { median, nsPerOp } from './ns-per-op.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);

// A named pipe and a reader that drains it as fast as lines come: the writer's cost is measured.
const dir = mkdtempSync(join(tmpdir(), 'picus-log-line-'));
const fifo = join(dir, 'stdout');
Bun.spawnSync(['mkfifo', fifo]);
const drainer = Bun.spawn(['sh', '-c', `cat "${fifo}" > /dev/null`]);
const fd = openSync(fifo, 'w');
const write = (line: string) => {
  writeSync(fd, line);
};

const request: AnsweredRequest = {
  requestId: '1-6b03c15e-eea70005f0c7611687f690be',
  method: 'GET',
  path: '/picus/get/0b7e5a8c-3f2d-4e1a-9c6b-2d4f8a1e7c30',
  status: 200,
  startedAt: 0,
  caller: { subject: 'picus-local', clientId: 'picus-local', scopes: ['picus/read'] },
  operation: 'get',
  storeMs: 0.42,
};
const plain = createLogger('info', write, { metrics: false });
const emf = createLogger('info', write, { metrics: true });

const nsPerLine = (logger: Logger) =>
  nsPerOp(() => logRequest(logger, { ...request, startedAt: performance.now() }), 300, 2_000);

const results = { plain: [] as number[], emf: [] as number[] };
for (let round = 0; round < rounds; round++) {
  results.plain.push(nsPerLine(plain));
  results.emf.push(nsPerLine(emf));
}
const [p, e] = [median(results.plain), median(results.emf)];
console.log(`Bun ${Bun.version}, ${rounds} rounds, median ns per request line (info, drained pipe)`);
console.log(`plain line (APP_METRICS=off)  ${p.toFixed(0)} ns`);
console.log(
  `EMF line (APP_METRICS=emf)    ${e.toFixed(0)} ns   ${(e / p).toFixed(2)}x, +${(e - p).toFixed(0)} ns`,
);
closeSync(fd);
await drainer.exited;
rmSync(dir, { recursive: true, force: true });
