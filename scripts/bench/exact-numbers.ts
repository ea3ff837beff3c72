/**
 * What exact numbers cost on the hot path (README, Performance): parsing a request body so every
 * number keeps its decimal value (`parseExactJson`), against plain JSON.parse, alone and on a
 * put's whole path (parse, the store's validation, writing JSON back), on the same bodies in one
 * run. Prints nanoseconds per body and the ratios; the ratios are what to compare between machines.
 *
 *   bun scripts/bench/exact-numbers.ts [--rounds=5]
 */
import { parseArgs } from 'node:util';
import { parseExactJson } from '../../domain/exact-number.ts';
import { storableData } from '../../domain/item-rules.ts';
import { median, nsPerOp } from './ns-per-op.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);

const BODIES: Record<string, string> = {
  // The body `bun run bench` puts (scripts/bench/put.lua).
  'bench put body (62 B, 1 number)': '{"name":"bench","n":42,"tags":["a","b"],"nested":{"ok":true}}',
  'record (1.2 KB, 40 numbers)': JSON.stringify({
    id: 'order-2026-0001',
    customer: { name: 'Ada Lovelace', email: 'ada@example.com', since: 1815 },
    lines: Array.from({ length: 10 }, (_, i) => ({
      sku: `SKU-${1000 + i}`,
      qty: i + 1,
      price: 19.99 + i,
      discount: 0.05 * i,
    })),
    note: 'x'.repeat(200),
  }),
  'numbers (13 KB, 1,000 numbers)': `${JSON.stringify(Array.from({ length: 1000 }, (_, i) => i * 1.25 + 0.001)).replace(/^/, '{"v":')}}`,
};

console.log(`Bun ${Bun.version}, ${rounds} rounds, median ns per body`);
console.log(
  'body'.padEnd(34),
  'parse: JSON'.padStart(12),
  'exact'.padStart(8),
  'ratio'.padStart(6),
  '│ put path: JSON'.padStart(16),
  'exact'.padStart(8),
  'ratio'.padStart(6),
);
for (const [name, text] of Object.entries(BODIES)) {
  let sink = 0;
  const timings: number[][] = [[], [], [], []];
  for (let round = 0; round < rounds; round++) {
    timings[0]?.push(
      nsPerOp(() => {
        sink += Object.keys(JSON.parse(text)).length;
      }),
    );
    timings[1]?.push(
      nsPerOp(() => {
        sink += Object.keys(parseExactJson(text) as object).length;
      }),
    );
    // The put path: parse, validate for the store, and write the answer (the same validation both ways).
    timings[2]?.push(
      nsPerOp(() => {
        sink += JSON.stringify(storableData(JSON.parse(text))).length;
      }),
    );
    timings[3]?.push(
      nsPerOp(() => {
        sink += JSON.stringify(storableData(parseExactJson(text))).length;
      }),
    );
  }
  const [plainParse, exactParse, plainPut, exactPut] = timings.map(median) as [
    number,
    number,
    number,
    number,
  ];
  console.log(
    name.padEnd(34),
    plainParse.toFixed(0).padStart(12),
    exactParse.toFixed(0).padStart(8),
    `${(exactParse / plainParse).toFixed(2)}x`.padStart(6),
    plainPut.toFixed(0).padStart(16),
    exactPut.toFixed(0).padStart(8),
    `${(exactPut / plainPut).toFixed(2)}x`.padStart(6),
  );
  if (sink < 0) console.log(sink);
}
