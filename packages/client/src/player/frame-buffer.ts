// The main thread's decoded frames: blocks of consecutive frames as the engine posted them
// (a segment fetched over HTTP, or one TL_FRAMES batch of a seek epoch), kept sorted by first
// frame. Lookups are a binary search plus a cached hint, since the playhead mostly moves
// forward a frame at a time.
import { interpolateInto } from './interpolate.ts';

export interface DecodedBlock {
  readonly firstFrame: number;
  readonly count: number;
  readonly times: Float64Array;
  readonly values: Float64Array;
  /** -1 for a segment (valid whatever the epoch), else the stream epoch it belongs to. */
  readonly epoch: number;
  /** Segment index, or -1 for streamed frames. */
  readonly segment: number;
}

export interface BufferedRange {
  firstFrame: number;
  lastFrame: number;
  startMs: number;
  endMs: number;
}

/** Blocks further back than this are not looked at when blocks overlap (stream over segment). */
const OVERLAP_SCAN = 8;

export class FrameBuffer {
  readonly cells: number;
  private blocks: DecodedBlock[] = [];
  private readonly segments = new Map<number, DecodedBlock>();
  private hint = 0;
  /** Bytes of decoded values and times held. */
  bytes = 0;
  /** Bumped on every change (callers cache what they derive, e.g. buffered ranges). */
  version = 0;

  constructor(cells: number) {
    this.cells = cells;
  }

  get blockCount(): number {
    return this.blocks.length;
  }

  hasSegment(n: number): boolean {
    return this.segments.has(n);
  }

  segmentIndices(): number[] {
    return [...this.segments.keys()];
  }

  addSegment(segment: number, firstFrame: number, times: Float64Array, values: Float64Array): void {
    if (this.segments.has(segment)) return;
    const b: DecodedBlock = { firstFrame, count: times.length, times, values, epoch: -1, segment };
    this.segments.set(segment, b);
    this.insert(b);
  }

  addStream(epoch: number, firstFrame: number, times: Float64Array, values: Float64Array): void {
    this.insert({ firstFrame, count: times.length, times, values, epoch, segment: -1 });
  }

  private insert(b: DecodedBlock): void {
    if (b.values.length !== b.count * this.cells)
      throw new RangeError(`block of ${b.count} frames has ${b.values.length} values, expected ${b.count * this.cells}`);
    const arr = this.blocks;
    let i = arr.length;
    // Almost always appended at the end (playback moves forward).
    while (i > 0 && arr[i - 1]!.firstFrame > b.firstFrame) i--;
    arr.splice(i, 0, b);
    this.bytes += b.values.byteLength + b.times.byteLength;
    this.version++;
  }

  private remove(pred: (b: DecodedBlock) => boolean): number {
    let removed = 0;
    const keep: DecodedBlock[] = [];
    for (const b of this.blocks) {
      if (pred(b)) {
        removed++;
        this.bytes -= b.values.byteLength + b.times.byteLength;
        if (b.segment >= 0) this.segments.delete(b.segment);
      } else {
        keep.push(b);
      }
    }
    if (removed > 0) {
      this.blocks = keep;
      this.hint = 0;
      this.version++;
    }
    return removed;
  }

  /** Drops streamed frames of every epoch but `epoch` (all of them for -1). */
  dropStreamExcept(epoch: number): number {
    return this.remove((b) => b.segment < 0 && b.epoch !== epoch);
  }

  /** Drops streamed blocks that end before frame `frame`. */
  dropStreamBefore(frame: number): number {
    return this.remove((b) => b.segment < 0 && b.firstFrame + b.count <= frame);
  }

  /** Drops segments for which `keep(n)` is false. */
  dropSegments(keep: (n: number) => boolean): number {
    return this.remove((b) => b.segment >= 0 && !keep(b.segment));
  }

  clear(): void {
    this.remove(() => true);
  }

  /** The block holding frame `i`, or undefined. */
  blockOf(i: number): DecodedBlock | undefined {
    const arr = this.blocks;
    const n = arr.length;
    if (n === 0) return undefined;
    const h = arr[this.hint];
    if (h !== undefined && i >= h.firstFrame && i < h.firstFrame + h.count) return h;
    let lo = 0;
    let hi = n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (arr[mid]!.firstFrame <= i) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let j = found; j >= 0 && j > found - OVERLAP_SCAN; j--) {
      const b = arr[j]!;
      if (i < b.firstFrame + b.count) {
        this.hint = j;
        return b;
      }
    }
    return undefined;
  }

  has(i: number): boolean {
    return this.blockOf(i) !== undefined;
  }

  /** Newest streamed frame of `epoch`, or -1. */
  newestStreamFrame(epoch: number): number {
    let newest = -1;
    for (let j = this.blocks.length - 1; j >= 0; j--) {
      const b = this.blocks[j]!;
      if (b.segment < 0 && b.epoch === epoch) newest = Math.max(newest, b.firstFrame + b.count - 1);
    }
    return newest;
  }

  /** Contiguous runs of buffered frames, in order. */
  ranges(): BufferedRange[] {
    const out: BufferedRange[] = [];
    let cur: BufferedRange | undefined;
    for (const b of this.blocks) {
      const last = b.firstFrame + b.count - 1;
      const endMs = b.times[b.count - 1]!;
      if (cur !== undefined && b.firstFrame <= cur.lastFrame + 1) {
        if (last > cur.lastFrame) {
          cur.lastFrame = last;
          cur.endMs = endMs;
        }
        continue;
      }
      cur = { firstFrame: b.firstFrame, lastFrame: last, startMs: b.times[0]!, endMs };
      out.push(cur);
    }
    return out;
  }

  /**
   * Frame i and its successor interpolated to `ms` (fields per `mask`) into `out`; false when
   * frame i is not here. Without the successor, or across a gap (a live pause), frame i as is.
   */
  sample(i: number, ms: number, out: Float64Array, mask: Uint8Array, periodMs: number): boolean {
    const a = this.blockOf(i);
    if (!a) return false;
    const C = this.cells;
    const ka = i - a.firstFrame;
    const va = a.values.subarray(ka * C, (ka + 1) * C);
    const ta = a.times[ka]!;
    const b = ms > ta ? this.blockOf(i + 1) : undefined;
    if (!b) {
      out.set(va);
      return true;
    }
    const kb = i + 1 - b.firstFrame;
    const tb = b.times[kb]!;
    if (!(tb > ta) || tb - ta > 1.5 * periodMs) {
      out.set(va);
      return true;
    }
    interpolateInto(out, va, b.values.subarray(kb * C, (kb + 1) * C), Math.min(1, (ms - ta) / (tb - ta)), mask);
    return true;
  }
}
