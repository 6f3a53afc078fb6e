// Frame ↔ time ↔ segment for a timeline, from its HTTP metadata (docs/timeline-format.md §W,
// §5.10): frame k of a segment is at startMs + k × 1000 / rateHz; gaps between segments are
// kept. Frames past the listed segments (the open segment of a live timeline) continue the
// grid of the last one. Plain numbers only: the main thread uses it without the codec.
import type { TimelineSchema } from '@tidewire/timeline';

export interface SegmentEntry {
  index: number;
  firstFrame: number;
  frameCount: number;
  startMs: number;
  /** Time of the segment's last frame. */
  endMs: number;
}

/** What `GET /api/timelines/:name` says, validated (see parseTimelineMeta). */
export interface TimelineMeta {
  name: string;
  /** Content version (part of the server's ETags): changes when the timeline is replaced. */
  version: string;
  schema: TimelineSchema;
  rateHz: number;
  /** Frames available now (a live timeline's open segment included). */
  frameCount: number;
  durationMs: number;
  live: boolean;
  /** Sealed segments, the ones HTTP serves. */
  segments: SegmentEntry[];
}

/** Index of the last element of `arr[0..n)` that is ≤ x; -1 when none (arr ascending). */
export function lastAtOrBefore(arr: ArrayLike<number>, n: number, x: number): number {
  let lo = 0;
  let hi = n - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! <= x) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export class Timebase {
  readonly periodMs: number;
  /** Frames known (≥ the frames the segments cover while a live segment is open). */
  frameCount: number;
  private readonly first: Float64Array;
  private readonly start: Float64Array;
  private readonly count: Float64Array;
  readonly segmentCount: number;

  constructor(rateHz: number, segments: readonly SegmentEntry[], frameCount: number) {
    this.periodMs = 1000 / rateHz;
    const n = segments.length;
    this.segmentCount = n;
    this.first = new Float64Array(n);
    this.start = new Float64Array(n);
    this.count = new Float64Array(n);
    segments.forEach((s, i) => {
      this.first[i] = s.firstFrame;
      this.start[i] = s.startMs;
      this.count[i] = s.frameCount;
    });
    this.frameCount = Math.max(frameCount, this.coveredFrames);
  }

  /** Frames inside the listed segments. */
  get coveredFrames(): number {
    const n = this.segmentCount;
    return n === 0 ? 0 : this.first[n - 1]! + this.count[n - 1]!;
  }

  get startMs(): number {
    return this.segmentCount === 0 ? 0 : this.start[0]!;
  }

  /** Time of the last known frame (startMs when there is none). */
  get endMs(): number {
    return this.frameCount === 0 ? this.startMs : this.timeOf(this.frameCount - 1);
  }

  segmentFirstFrame(n: number): number {
    return this.first[n]!;
  }

  segmentFrameCount(n: number): number {
    return this.count[n]!;
  }

  segmentStartMs(n: number): number {
    return this.start[n]!;
  }

  segmentEndMs(n: number): number {
    return this.start[n]! + (this.count[n]! - 1) * this.periodMs;
  }

  /** The listed segment holding frame `i`; -1 when it is not in one (negative, or past them). */
  segmentForFrame(i: number): number {
    const s = lastAtOrBefore(this.first, this.segmentCount, i);
    return s >= 0 && i < this.first[s]! + this.count[s]! ? s : -1;
  }

  /** The listed segment holding the last frame at or before `ms` (0 for earlier times). */
  segmentForTime(ms: number): number {
    if (this.segmentCount === 0) return -1;
    return Math.max(0, lastAtOrBefore(this.start, this.segmentCount, ms));
  }

  timeOf(i: number): number {
    const n = this.segmentCount;
    if (n === 0) return i * this.periodMs;
    const s = Math.max(0, lastAtOrBefore(this.first, n, i));
    return this.start[s]! + (i - this.first[s]!) * this.periodMs;
  }

  /** The last frame at or before `ms`, clamped to [0, frameCount − 1] (0 when empty). */
  frameForTime(ms: number): number {
    if (this.frameCount === 0) return 0;
    const n = this.segmentCount;
    let i: number;
    if (n === 0) {
      i = Math.floor(ms / this.periodMs + 1e-9);
    } else {
      const s = Math.max(0, lastAtOrBefore(this.start, n, ms));
      // The epsilon keeps a time computed as start + k × period on frame k despite rounding.
      const k = Math.floor((ms - this.start[s]!) / this.periodMs + 1e-9);
      const last = s === n - 1 ? Number.POSITIVE_INFINITY : this.count[s]! - 1;
      i = this.first[s]! + Math.max(0, Math.min(k, last));
    }
    return Math.max(0, Math.min(this.frameCount - 1, i));
  }
}
