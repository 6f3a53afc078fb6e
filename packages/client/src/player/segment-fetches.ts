// Client-paced segment requests (docs/timeline-format.md §W.3): which are in flight, which
// failed and sit out SEGMENT_RETRY_MS, and each display frame's prefetch plan turned into
// load / cancel / refreshMeta messages for the engine and evictions from the frame buffer.
import type { FrameBuffer } from './frame-buffer.ts';
import type { ToEngine } from './messages.ts';
import { SEGMENT_RETRY_MS } from './options.ts';
import type { ResolvedPlayerOptions } from './options.ts';
import { planPrefetch } from './prefetch.ts';
import type { Timebase } from './timebase.ts';

export class SegmentFetches {
  private readonly inflight = new Set<number>();
  private readonly retryAt = new Map<number, number>();
  private readonly post: (msg: ToEngine) => void;
  private readonly opts: ResolvedPlayerOptions;

  constructor(post: (msg: ToEngine) => void, opts: ResolvedPlayerOptions) {
    this.post = post;
    this.opts = opts;
  }

  /** Segment `index` is being fetched without a request from here (the engine's first fetch). */
  started(index: number): void {
    this.inflight.add(index);
  }

  /** Segment `index` arrived (or its request ended). */
  settled(index: number): void {
    this.inflight.delete(index);
  }

  /** Segment `index` failed: it is not asked for again before `now + SEGMENT_RETRY_MS`. */
  failed(index: number, now: number): void {
    this.inflight.delete(index);
    this.retryAt.set(index, now + SEGMENT_RETRY_MS);
  }

  /** One display frame's worth: fetch ahead of `posMs`, cancel and evict what fell out of the window. */
  update(now: number, posMs: number, speed: number, live: boolean, tb: Timebase, buf: FrameBuffer): void {
    for (const [n, at] of this.retryAt) if (at <= now) this.retryAt.delete(n);
    const plan = planPrefetch({
      timebase: tb,
      posMs,
      speed,
      prefetchSeconds: this.opts.prefetchSeconds,
      keepBehindMs: this.opts.keepBehindSeconds * 1000,
      loaded: (n) => buf.hasSegment(n),
      inflight: (n) => this.inflight.has(n) || this.retryAt.has(n),
      inflightCount: this.inflight.size,
      maxInflight: this.opts.maxConcurrentFetches,
    });
    if (plan.load.length > 0) {
      for (const n of plan.load) this.inflight.add(n);
      this.post({ t: 'load', segments: plan.load });
    }
    const keep = (n: number) => n >= plan.keepFirst && n <= plan.keepLast;
    const stale = [...this.inflight].filter((n) => !keep(n));
    if (stale.length > 0) this.post({ t: 'cancel', segments: stale });
    if (buf.bytes > this.opts.maxBufferBytes) buf.dropSegments(keep);
    // A live timeline's newer sealed segments are listed by a fresh metadata answer.
    if (live && plan.current === tb.segmentCount - 1 && tb.frameCount > tb.coveredFrames && !buf.has(tb.frameForTime(posMs))) {
      this.post({ t: 'refreshMeta' });
    }
  }
}
