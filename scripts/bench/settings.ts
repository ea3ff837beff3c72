/**
 * What one benchmark run measures and for how long, from its command line:
 *   --only=web,dynamo,writes,lb,lambda,list   run a subset (default: all)
 *   --quick                                   short rounds and a smaller list table
 *   --connections=32
 *   --no-build                                reuse dist/bench/build
 * and where its build and report go.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Timing } from './rounds.ts';

export const ROOT = resolve(import.meta.dir, '../..');
/** The benchmark's own drivers (ceiling servers, load scripts) live next to this file. */
export const BENCH_DIR = import.meta.dir;
export const OUT_DIR = join(ROOT, 'dist/bench');
export const BUILD_DIR = join(OUT_DIR, 'build');
export const BINARY = join(BUILD_DIR, 'picus-server');
export const BUNDLE = join(BUILD_DIR, 'lambda/index.cjs');
/** The table every picus process under test and the embedded DynamoDB use. */
export const TABLE = 'picus_bench';

/** The report's sections, in the order they run and are printed. */
export const SECTIONS = ['web', 'dynamo', 'writes', 'lb', 'lambda', 'list'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchSettings {
  readonly sections: ReadonlySet<Section>;
  readonly quick: boolean;
  readonly build: boolean;
  readonly timing: Timing;
  /** Table sizes the list section pages through, smaller first. */
  readonly listSizes: readonly [number, number];
  /** Cold starts timed per Lambda variant. */
  readonly coldRuns: number;
  /** Events per warm Lambda run. */
  readonly warmEvents: number;
}

export function settingsFrom(args: readonly string[]): BenchSettings {
  const { values: flags } = parseArgs({
    args: [...args],
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      connections: { type: 'string', default: '32' },
      'no-build': { type: 'boolean', default: false },
    },
  });
  const sections = new Set<Section>(
    flags.only ? (flags.only.split(',').map((s) => s.trim()) as Section[]) : [...SECTIONS],
  );
  for (const s of sections)
    if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}; one of ${SECTIONS}`);
  const quick = flags.quick;
  const connections = Number(flags.connections);
  return {
    sections,
    quick,
    build: !flags['no-build'],
    timing: quick
      ? { warmupSeconds: 1, roundSeconds: 2, rounds: 3, connections }
      : { warmupSeconds: 3, roundSeconds: 5, rounds: 5, connections },
    listSizes: quick ? [5_000, 50_000] : [10_000, 100_000],
    coldRuns: quick ? 15 : 20,
    warmEvents: quick ? 20_000 : 100_000,
  };
}
