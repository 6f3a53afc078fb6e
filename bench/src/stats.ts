/** Percentile by nearest rank over a copy of `samples` (ms). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Median of `runs` timings of `fn` (ms), after one warm-up run. With --expose-gc (the bench
 * entry sets it) the heap is collected before each run, so one system's garbage is not billed
 * to the next one's measurement.
 */
export function timeMedian(runs: number, fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc?.();
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return percentile(times, 50);
}
