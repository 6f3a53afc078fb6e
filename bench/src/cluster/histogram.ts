// A latency histogram that can be merged across processes: fixed 0.05 ms buckets up to 5 s and
// one overflow bucket. At 100 clients × 1,000 changes/s the suite records millions of samples;
// keeping them as numbers would cost more memory and sorting time than the thing measured.
const BUCKET_MS = 0.05;
const BUCKETS = 100_000; // 5 s

export class LatencyHistogram {
  readonly counts: number[] = new Array<number>(BUCKETS + 1).fill(0);
  total = 0;

  record(ms: number): void {
    const i = ms <= 0 ? 0 : Math.min(BUCKETS, Math.floor(ms / BUCKET_MS));
    this.counts[i]!++;
    this.total++;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }

  /** The counts as [bucket, count] pairs of the non-empty buckets (small enough for IPC). */
  sparse(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]! > 0) out.push([i, this.counts[i]!]);
    return out;
  }

  add(sparse: readonly [number, number][]): void {
    for (const [i, n] of sparse) {
      this.counts[i]! += n;
      this.total += n;
    }
  }

  /** The upper edge of the bucket holding the p-th percentile (ms); NaN without samples. */
  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return (i + 1) * BUCKET_MS;
    }
    return Infinity;
  }
}
