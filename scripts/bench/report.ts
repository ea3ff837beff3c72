/**
 * The benchmark's report: a table of rows per section, each kind of row with fields named for
 * what they hold, the targets as met or not, and the raw figures behind them.
 * Written to dist/bench/report.json; markdown.ts renders it.
 */
import { cpus, totalmem } from 'node:os';
import type { Summary, Timing } from './rounds.ts';
import type { Section } from './settings.ts';

/** A load test of one configuration: requests per second, latency, memory (web, dynamo, writes, lb). */
export interface LoadRow {
  readonly name: string;
  readonly rps?: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
  readonly rssMb?: number;
  /** Fraction of the section's ceiling (or reference). */
  readonly ratio?: number;
  readonly errors?: number;
  readonly note?: string;
}

/** One measured quantity, its unit in its name (lambda: KB, ms, µs per event). */
export interface MeasureRow {
  readonly name: string;
  readonly value: number;
  readonly note?: string;
}

/** Paging through a whole table (list). */
export interface ListRow {
  readonly name: string;
  readonly itemsPerSecond: number;
  /** The server's VmHWM after the run, MB. */
  readonly peakRssMb: number;
  readonly note: string;
}

/** The kind of row each section reports. */
export interface SectionRows {
  readonly web: LoadRow[];
  readonly dynamo: LoadRow[];
  readonly writes: LoadRow[];
  readonly lb: LoadRow[];
  readonly lambda: MeasureRow[];
  readonly list: ListRow[];
}

export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

/** What a section hands back: its rows, the targets it checked, and raw figures for report.json. */
export interface SectionResult<S extends Section> {
  readonly rows: SectionRows[S];
  readonly targets: readonly Target[];
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface Machine {
  readonly nproc: number;
  readonly cpu: string;
  readonly memGb: number;
  readonly bun: string;
  readonly node: string;
  readonly wrk: string | undefined;
}

export interface Report {
  readonly machine: Machine;
  readonly settings: { readonly quick: boolean; readonly timing: Timing; readonly sections: Section[] };
  /** Filled in the order the sections ran. */
  readonly sections: { -readonly [S in Section]?: SectionRows[S] };
  readonly extra: Record<string, unknown>;
  readonly targets: Target[];
}

export function describeMachine(): Machine {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memGb: Math.round(totalmem() / 2 ** 30),
    bun: Bun.version,
    node: Bun.spawnSync(['node', '--version']).stdout.toString().trim(),
    wrk: Bun.spawnSync(['wrk', '-v']).stdout.toString().split('\n')[0]?.trim(),
  };
}

/** Paired per-round ratio when the rounds were interleaved, else the ratio of medians. */
export const ratioOf = (s: Summary, ceiling: Summary) => s.pairedRatio ?? s.rps / ceiling.rps;

export const rowOf = (name: string, s: Summary | undefined, ceiling?: Summary, note?: string): LoadRow => ({
  name,
  ...(s ? { rps: s.rps, p50Ms: s.p50Ms, p99Ms: s.p99Ms, errors: s.errors } : {}),
  ...(s?.peakRssMb === undefined ? {} : { rssMb: s.peakRssMb }),
  ...(s && ceiling ? { ratio: ratioOf(s, ceiling) } : {}),
  ...(note ? { note } : {}),
});

export const target = (name: string, goal: string, measured: string, met: boolean): Target => ({
  name,
  goal,
  measured,
  met,
});

/** A target on a ratio to a ceiling: met at `atLeast` or above; the goal says the same number. */
export const ratioTarget = (name: string, ratio: number, atLeast: number): Target =>
  target(name, `>= ${Math.round(atLeast * 100)}%`, pct(ratio), ratio >= atLeast);

/** A fraction as a percentage with one decimal; empty when unknown. */
export const pct = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? '' : `${(x * 100).toFixed(1)}%`;
