// Frame lateness at the viewer. A server-paced stream shows frame k at its start anchor plus
// (k − k0) periods; the viewer cannot see the server's anchor, so it estimates it from its own
// best frame: anchor = min over the stream's life of (arrival − (k − k0) × period). Lateness
// of a frame is then its arrival minus its due time from that anchor: the delay beyond the
// stream's least-delayed frame (polling quantisation, scheduler and event-loop delays, viewer
// backlog). A constant offset common to every frame of a stream is not lateness — the viewer
// would simply start that much later.
import { PERIOD_MS } from './session-file.ts';

/** Fixed-bin histogram of ms values: 0.05 ms bins up to 2 s, then one overflow bin. */
export class Histogram {
  static readonly BIN_MS = 0.05;
  static readonly BINS = 40_000;
  readonly bins = new Uint32Array(Histogram.BINS + 1);
  count = 0;
  max = 0;

  add(ms: number): void {
    const v = Math.max(0, ms);
    this.bins[Math.min(Histogram.BINS, Math.floor(v / Histogram.BIN_MS))]!++;
    this.count++;
    if (v > this.max) this.max = v;
  }

  /** Upper edge of the bin holding the p-th percentile (nearest rank); NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i]!;
      if (seen >= rank) return i === Histogram.BINS ? this.max : Math.min(this.max, (i + 1) * Histogram.BIN_MS);
    }
    return this.max;
  }

  /** Sparse form for IPC: [bin, count] pairs. */
  toJSON(): SparseHistogram {
    const pairs: [number, number][] = [];
    for (let i = 0; i < this.bins.length; i++) if (this.bins[i]! > 0) pairs.push([i, this.bins[i]!]);
    return { pairs, count: this.count, max: this.max };
  }

  merge(h: SparseHistogram): void {
    for (const [i, n] of h.pairs) this.bins[i]! += n;
    this.count += h.count;
    this.max = Math.max(this.max, h.max);
  }
}

export interface SparseHistogram {
  pairs: [number, number][];
  count: number;
  max: number;
}

/** One stream's frames: anchor estimate, window offsets, frames missed in the window. */
export class StreamLateness {
  private minOffset = Number.POSITIVE_INFINITY;
  private last = -1;
  private offsets: number[] = [];
  received = 0;
  missed = 0;

  /** Frame k arrived at `at` (performance.now() of this process). */
  frame(k: number, at: number, recording: boolean): void {
    const offset = at - k * PERIOD_MS;
    if (offset < this.minOffset) this.minOffset = offset;
    if (recording) {
      this.offsets.push(offset);
      this.received++;
      // A server that skipped frames (polling loop late, or a keyframe skip) left a gap.
      if (this.last >= 0 && k > this.last + 1) this.missed += k - this.last - 1;
    }
    this.last = k;
  }

  startWindow(): void {
    this.offsets = [];
    this.received = 0;
    this.missed = 0;
  }

  /** Adds the window's lateness samples to `h`. */
  collect(h: Histogram): void {
    for (const o of this.offsets) h.add(o - this.minOffset);
  }
}
