// The encoded frames of one timeline, held the way they go on the wire: per segment, one block
// of `(varuint(len) • frameBytes)*` (docs/timeline-format.md §W.3) and the offset of every frame
// in it. A batch of consecutive frames is then one or two contiguous slices, copied into a
// TL_FRAMES message as they are: nothing is re-encoded at play time. Segments are filled once
// (recorded: at load, decompressed once) or grow at the end (live: the open segment).
import { varuintSize, writeVaruint } from '@tidewire/base';

export interface SegmentMeta {
  index: number;
  firstFrame: number;
  frameCount: number;
  startMs: number;
  endMs: number;
}

export class StoredSegment implements SegmentMeta {
  readonly index: number;
  readonly firstFrame: number;
  frameCount = 0;
  startMs: number;
  endMs: number;
  /** Wire block; only [0, blockLength) is meaningful while the segment grows. */
  block: Uint8Array;
  blockLength = 0;
  /** offsets[i]: where frame i's length prefix starts in `block`. */
  offsets: Uint32Array;
  /** Encoded length of frame i (without its prefix): what byte credit counts. */
  lengths: Uint32Array;
  times: Float64Array;
  /** The segment as stored in the file (gzip), served over HTTP; undefined while open. */
  stored: Uint8Array | undefined = undefined;
  /** Strong ETag of `stored`. */
  etag = '';

  /**
   * A complete segment over an existing wire block (a decompressed segment payload after its
   * header has exactly this layout: docs/timeline-format.md §5.5), adopted without copying.
   * `frames` are views into `block`, in order.
   */
  static adopt(meta: SegmentMeta, block: Uint8Array, frames: readonly Uint8Array[], times: Float64Array, stored: Uint8Array, etag: string): StoredSegment {
    const seg = new StoredSegment(meta.index, meta.firstFrame, meta.startMs, 0, 0);
    const n = frames.length;
    const offsets = new Uint32Array(n + 1);
    const lengths = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const f = frames[i]!;
      if (f.buffer !== block.buffer) throw new RangeError('frames must be views into the block');
      const end = f.byteOffset - block.byteOffset + f.length;
      offsets[i + 1] = end;
      lengths[i] = f.length;
    }
    if (offsets[n] !== block.length) throw new RangeError(`frames cover ${offsets[n]} of the block's ${block.length} bytes`);
    seg.block = block;
    seg.blockLength = block.length;
    seg.offsets = offsets;
    seg.lengths = lengths;
    seg.times = times;
    seg.frameCount = n;
    seg.endMs = n > 0 ? meta.endMs : meta.startMs;
    seg.stored = stored;
    seg.etag = etag;
    return seg;
  }

  constructor(index: number, firstFrame: number, startMs: number, capacityFrames: number, capacityBytes: number) {
    this.index = index;
    this.firstFrame = firstFrame;
    this.startMs = startMs;
    this.endMs = startMs;
    this.block = new Uint8Array(Math.max(16, capacityBytes));
    this.offsets = new Uint32Array(Math.max(1, capacityFrames) + 1);
    this.lengths = new Uint32Array(Math.max(1, capacityFrames));
    this.times = new Float64Array(Math.max(1, capacityFrames));
  }

  get sealed(): boolean {
    return this.stored !== undefined;
  }

  /** Appends one encoded frame (copied into the block). */
  push(frame: Uint8Array, timeMs: number): void {
    const need = this.blockLength + varuintSize(frame.length) + frame.length;
    if (need > this.block.length) this.block = grow(this.block, need, this.blockLength);
    if (this.frameCount + 1 >= this.offsets.length) {
      const cap = this.offsets.length * 2;
      this.offsets = growU32(this.offsets, cap);
      this.lengths = growU32(this.lengths, cap);
      const t = new Float64Array(cap);
      t.set(this.times);
      this.times = t;
    }
    const i = this.frameCount;
    this.offsets[i] = this.blockLength;
    this.lengths[i] = frame.length;
    this.times[i] = timeMs;
    let pos = writeVaruint(this.block, this.blockLength, frame.length);
    this.block.set(frame, pos);
    pos += frame.length;
    this.blockLength = pos;
    this.frameCount = i + 1;
    this.offsets[i + 1] = pos;
    this.endMs = timeMs;
  }

  /** Borrowed view of frame `i` (relative to the segment). */
  frameBorrow(i: number): Uint8Array {
    const end = this.offsets[i + 1]!;
    return this.block.subarray(end - this.lengths[i]!, end);
  }

  /** Borrowed view of frames [from, to) of the block. */
  rangeBorrow(from: number, to: number): Uint8Array {
    return this.block.subarray(this.offsets[from]!, this.offsets[to]!);
  }

  /** Drops the spare capacity once the segment is complete. */
  trim(): void {
    if (this.block.length > this.blockLength) this.block = this.block.slice(0, this.blockLength);
    const n = this.frameCount;
    if (this.offsets.length > n + 1) this.offsets = this.offsets.slice(0, n + 1);
    if (this.lengths.length > n) this.lengths = this.lengths.slice(0, n);
    if (this.times.length > n) this.times = this.times.slice(0, n);
  }
}

function grow(buf: Uint8Array, need: number, used: number): Uint8Array {
  const out = new Uint8Array(Math.max(need, buf.length * 2));
  out.set(buf.subarray(0, used));
  return out;
}

function growU32(a: Uint32Array, cap: number): Uint32Array {
  const out = new Uint32Array(cap);
  out.set(a);
  return out;
}

/** One TL_FRAMES batch: the slices to copy, and what it costs in credit. */
export interface Batch {
  count: number;
  /** Sum of the frames' encoded lengths (byte credit). */
  frameBytes: number;
  /** Bytes of the slices (message body size). */
  wireBytes: number;
  blocks: Uint8Array[];
  /** The segment the batch ended in: where a session's next batch most likely starts, so a
   *  reused Batch finds it without a search (a 2-hour recording has thousands of segments). */
  segment?: number;
}

export class FrameStore {
  readonly segments: StoredSegment[] = [];
  frameCount = 0;

  get lastFrame(): number {
    return this.frameCount - 1;
  }

  /** Index of the segment holding `frame` (0 ≤ frame < frameCount). O(1) when `hint` or the
   *  segment after it holds the frame (playback moves forward), else O(log segments). */
  segmentOf(frame: number, hint = -1): number {
    const s = this.segments;
    if (hint >= 0 && hint < s.length && s[hint]!.firstFrame <= frame) {
      const after = s[hint + 1];
      if (after === undefined || frame < after.firstFrame) return hint;
      const next = s[hint + 2];
      if (next === undefined || frame < next.firstFrame) return hint + 1;
    }
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]!.firstFrame <= frame) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The keyframe a decoder needs to show `frame`: the first frame of its segment. */
  keyframeAtOrBefore(frame: number): number {
    return this.segments[this.segmentOf(frame)]!.firstFrame;
  }

  /** Borrowed bytes of `frame`. */
  frameBorrow(frame: number): Uint8Array {
    const seg = this.segments[this.segmentOf(frame)]!;
    return seg.frameBorrow(frame - seg.firstFrame);
  }

  /** The frame shown at `timeMs`: the last one at or before it (0 before the first). */
  frameAtTime(timeMs: number): number {
    const s = this.segments;
    if (s.length === 0) return 0;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]!.startMs <= timeMs) lo = mid;
      else hi = mid - 1;
    }
    const seg = s[lo]!;
    const t = seg.times;
    let a = 0;
    let b = seg.frameCount - 1;
    if (b < 0 || t[0]! > timeMs) return seg.firstFrame;
    while (a < b) {
      const mid = (a + b + 1) >> 1;
      if (t[mid]! <= timeMs) a = mid;
      else b = mid - 1;
    }
    return seg.firstFrame + a;
  }

  timeOf(frame: number): number {
    const seg = this.segments[this.segmentOf(frame)]!;
    return seg.times[frame - seg.firstFrame]!;
  }

  /**
   * Frames from `from` up to `to` (inclusive) that fit: at most `maxFrames`, and frames are added
   * while fewer than `byteBudget` encoded bytes are taken (the last may overdraw it, so a frame
   * larger than the whole budget still goes) and the message stays within `maxWireBytes`
   * (at least one frame). `out.blocks` is reused.
   */
  batch(from: number, to: number, maxFrames: number, byteBudget: number, maxWireBytes: number, out: Batch): Batch {
    out.count = 0;
    out.frameBytes = 0;
    out.wireBytes = 0;
    out.blocks.length = 0;
    if (from > to || maxFrames <= 0 || byteBudget <= 0) return out;
    let si = this.segmentOf(from, out.segment);
    let frame = from;
    while (frame <= to && out.count < maxFrames && out.frameBytes < byteBudget) {
      const seg = this.segments[si]!;
      const start = frame - seg.firstFrame;
      let i = start;
      const end = Math.min(seg.frameCount, to - seg.firstFrame + 1);
      while (i < end && out.count < maxFrames && out.frameBytes < byteBudget) {
        const wire = seg.offsets[i + 1]! - seg.offsets[i]!;
        if (out.count > 0 && out.wireBytes + wire > maxWireBytes) break;
        out.count++;
        out.frameBytes += seg.lengths[i]!;
        out.wireBytes += wire;
        i++;
      }
      if (i > start) out.blocks.push(seg.rangeBorrow(start, i));
      out.segment = si;
      frame = seg.firstFrame + i;
      if (i < end) break; // a cap stopped us inside the segment
      si++;
      if (si >= this.segments.length) break;
    }
    return out;
  }

  /** Appends a complete segment (recorded timelines, at load). */
  add(seg: StoredSegment): void {
    if (seg.firstFrame !== this.frameCount || seg.index !== this.segments.length) {
      throw new RangeError(`segment ${seg.index} starts at frame ${seg.firstFrame}, expected segment ${this.segments.length} at ${this.frameCount}`);
    }
    this.segments.push(seg);
    this.frameCount += seg.frameCount;
  }

  /** Opens a new segment at the end (live). */
  open(startMs: number, capacityFrames: number, capacityBytes: number): StoredSegment {
    const seg = new StoredSegment(this.segments.length, this.frameCount, startMs, capacityFrames, capacityBytes);
    this.segments.push(seg);
    return seg;
  }

  /** Appends a frame to the last (open) segment. */
  push(frame: Uint8Array, timeMs: number): void {
    this.segments[this.segments.length - 1]!.push(frame, timeMs);
    this.frameCount++;
  }
}
