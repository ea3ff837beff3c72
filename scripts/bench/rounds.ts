/**
 * Rounds of wrk runs, interleaved between the contenders of one comparison, and the medians
 * they are reported as.
 */
import { sampleRss } from '../support/child-processes.ts';
import { type WrkResult, wrk } from './wrk.ts';

export interface Timing {
  readonly warmupSeconds: number;
  readonly roundSeconds: number;
  readonly rounds: number;
  readonly connections: number;
}

export interface Contender {
  readonly name: string;
  readonly url: string;
  /** Process whose RSS is sampled while it is under load. */
  readonly pid?: number;
  readonly script?: string | undefined;
  readonly scriptArgs?: readonly string[];
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Medians over rounds of one measured configuration. */
export interface Summary {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rounds: number;
  readonly errors: number;
  readonly peakRssMb?: number;
  /** Median over rounds of this contender's rate / the first contender's rate in the same round. */
  readonly pairedRatio?: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function summarize(
  results: readonly WrkResult[],
  peakRssMb?: number,
  reference?: readonly WrkResult[],
): Summary {
  return {
    ...(reference && reference.length === results.length
      ? { pairedRatio: median(results.map((r, i) => r.rps / (reference[i] as WrkResult).rps)) }
      : {}),
    rps: median(results.map((r) => r.rps)),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    rounds: results.length,
    errors: results.reduce((sum, r) => sum + r.non2xx + r.socketErrors, 0),
    ...(peakRssMb === undefined ? {} : { peakRssMb }),
  };
}

/** One summary of several single-round summaries of the same configuration: medians, errors summed. */
export function summarizeRounds(runs: readonly Summary[]): Summary {
  return {
    rps: median(runs.map((r) => r.rps)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
    rounds: runs.length,
    errors: runs.reduce((s, r) => s + r.errors, 0),
    ...(runs.some((r) => r.peakRssMb) ? { peakRssMb: Math.max(...runs.map((r) => r.peakRssMb ?? 0)) } : {}),
  };
}

/**
 * Warms every contender, then runs the rounds interleaved (A, B, A, B, ...), so a
 * noisy neighbour hurts them alike and the ratios stay meaningful.
 */
export async function compare(
  contenders: readonly Contender[],
  timing: Timing,
): Promise<Map<string, Summary>> {
  const runs = new Map<string, WrkResult[]>();
  const peaks = new Map<string, number>();
  for (const c of contenders) {
    await wrk({ ...c, connections: timing.connections, seconds: timing.warmupSeconds });
    runs.set(c.name, []);
  }
  for (let round = 0; round < timing.rounds; round++) {
    for (const c of contenders) {
      const stopSampling = c.pid === undefined ? undefined : sampleRss(c.pid);
      const result = await wrk({ ...c, connections: timing.connections, seconds: timing.roundSeconds });
      if (stopSampling) peaks.set(c.name, Math.max(peaks.get(c.name) ?? 0, stopSampling()));
      runs.get(c.name)?.push(result);
    }
  }
  const out = new Map<string, Summary>();
  const reference = runs.get(contenders[0]?.name ?? '');
  for (const c of contenders)
    out.set(c.name, summarize(runs.get(c.name) ?? [], peaks.get(c.name), reference));
  return out;
}
