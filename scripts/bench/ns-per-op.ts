/** Micro-benchmark timing: nanoseconds per call of `work`, after a warm-up, over at least `minMs`. */
export function nsPerOp(work: () => void, minMs = 200, warmup = 200): number {
  for (let i = 0; i < warmup; i++) work();
  let iterations = 0;
  const start = Bun.nanoseconds();
  let elapsed = 0;
  while (elapsed < minMs * 1e6) {
    for (let i = 0; i < 100; i++) work();
    iterations += 100;
    elapsed = Bun.nanoseconds() - start;
  }
  return elapsed / iterations;
}

/** The middle value of a round's measurements. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
