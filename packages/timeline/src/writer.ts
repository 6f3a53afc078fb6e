// Segment file writer (docs/timeline-format.md §5, §5.11). Frames are encoded as they are
// appended; every keyframeInterval frames (or at a time gap) the open segment closes, is
// compressed once, and becomes a SEGMENT record at once — so a live timeline is readable
// segment by segment while it is being written. finish() adds INDEX, FOOTER and magic.

import { concatBytes } from '@tidewire/base';
import { TimelineError } from './errors.ts';
import { FrameEncoder } from './frame-encoder.ts';
import { LIMITS } from './limits.ts';
import { FORMAT_VERSION, MAGIC, SEGMENT_DATA_AT, writeFooter, writeHeader, writeIndex, writeSchema, writeSegment } from './records.ts';
import { validateSchema, type TimelineSchema } from './schema.ts';
import { encodeSegmentPayload } from './segment.ts';

/** Compresses a segment payload. The server passes gzip (RFC 1952) so HTTP can serve the bytes as-is. */
export type Compress = (raw: Uint8Array) => Promise<Uint8Array> | Uint8Array;
/** Inverse of Compress. Should cap its output (e.g. zlib's maxOutputLength = segmentInfo(n).rawLength). */
export type Decompress = (z: Uint8Array) => Promise<Uint8Array> | Uint8Array;

export interface TimelineWriterOptions {
  compress: Compress;
  /** Name of the compression, stored in the HEADER: 'gzip' (default) or '' (stored as is; compress must be the identity). */
  compression?: string;
  /** Frames per segment (the first is its keyframe); default round(2 s × rateHz). */
  keyframeInterval?: number;
  /** Highest predictor order for deltas (FrameEncoderOptions.maxOrder). */
  maxOrder?: 0 | 1 | 2;
  /** Called with each completed segment, in order, as soon as its record exists. */
  onSegment?: (segment: WrittenSegment) => void;
  /** Free text stored in the HEADER (≤ 255 UTF-8 bytes). */
  library?: string;
}

export interface SegmentInfo {
  index: number;
  firstFrame: number;
  frameCount: number;
  /** Time of the first frame. */
  startMs: number;
  /** Time of the last frame (inclusive): startMs + (frameCount − 1) × 1000 / rateHz. */
  endMs: number;
  /** The SEGMENT record's byte range in the file: [offset, offset + length). */
  offset: number;
  length: number;
  /** The compressed payload's byte range in the file (what HTTP serves). */
  dataOffset: number;
  dataLength: number;
  /** Bytes of the decompressed payload. */
  rawLength: number;
}

export interface WrittenSegment extends SegmentInfo {
  /** The whole SEGMENT record, as it sits in the file. */
  record: Uint8Array;
  /** The compressed payload (a view of `record`). */
  data: Uint8Array;
}

export interface AppendedFrame {
  /** Frame number in the timeline. */
  frame: number;
  /** Segment the frame belongs to. */
  segment: number;
  /** Stored time: timeMs snapped to the segment's grid. */
  timeMs: number;
  keyframe: boolean;
  /** The encoded frame (shared with the writer: do not modify). */
  bytes: Uint8Array;
}

export interface OpenSegment {
  index: number;
  firstFrame: number;
  startMs: number;
  /** Encoded frames so far, [0] the keyframe (borrowed: the writer appends to this array). */
  frames: readonly Uint8Array[];
}

function isThenable<T>(x: unknown): x is PromiseLike<T> {
  return typeof (x as { then?: unknown } | null)?.then === 'function';
}

export class TimelineWriter {
  readonly schema: TimelineSchema;
  readonly compression: string;
  readonly keyframeInterval: number;
  readonly periodMs: number;
  /** MAGIC • HEADER • SCHEMA: the first bytes of the file, known from the start. */
  readonly header: Uint8Array;
  readonly #encoder: FrameEncoder;
  readonly #compress: Compress;
  readonly #onSegment: ((s: WrittenSegment) => void) | undefined;
  readonly #segments: WrittenSegment[] = [];
  #open: { index: number; firstFrame: number; startMs: number; frames: Uint8Array[] } | undefined;
  #frameCount = 0;
  #segmentCount = 0; // closed (possibly still compressing) segments
  #lastGiven = -Infinity;
  #lastStored = NaN;
  #fileOffset: number;
  #pending = 0;
  #tail: Promise<void> = Promise.resolve();
  #error: unknown = undefined;
  #finishing: Promise<Uint8Array> | undefined;

  constructor(schema: TimelineSchema, options: TimelineWriterOptions) {
    this.schema = validateSchema(schema);
    if (typeof options?.compress !== 'function') throw new TimelineError('TL_BAD_ARGUMENT', 'options.compress must be a function');
    // The name is checked by writeHeader below (TL_BAD_ARGUMENT).
    this.compression = options.compression ?? 'gzip';
    const interval = options.keyframeInterval ?? Math.max(1, Math.round(2 * this.schema.rateHz));
    if (!Number.isInteger(interval) || interval < 1 || interval > LIMITS.maxSegmentFrames)
      throw new TimelineError('TL_BAD_ARGUMENT', `keyframeInterval ${interval} is not an integer in 1..${LIMITS.maxSegmentFrames}`);
    this.keyframeInterval = interval;
    this.periodMs = 1000 / this.schema.rateHz;
    this.#encoder = new FrameEncoder(this.schema, { maxOrder: options.maxOrder });
    this.#compress = options.compress;
    this.#onSegment = options.onSegment;
    const library = options.library ?? 'tidewire-timeline';
    this.header = concatBytes([MAGIC, writeHeader({ version: FORMAT_VERSION, compression: this.compression, library }), writeSchema(this.schema)]);
    this.#fileOffset = this.header.length;
  }

  /** Frames appended so far. */
  get frameCount(): number {
    return this.#frameCount;
  }

  /** Segments whose records are written, in order (grows as segments close and compress). */
  get segments(): readonly WrittenSegment[] {
    return this.#segments;
  }

  /** The segment being filled, if any: a late joiner of a live timeline needs its keyframe and deltas. */
  get openSegment(): OpenSegment | undefined {
    return this.#open;
  }

  /**
   * Appends the frame at timeMs (values entity-major, NaN = absent) and returns it encoded,
   * e.g. to broadcast it live. Times must increase. A frame is stored on the grid — one period
   * after the previous frame — unless it comes more than half a period later than that: a gap,
   * which starts a new segment at timeMs (§5.11).
   */
  append(timeMs: number, values: Float64Array): AppendedFrame {
    this.#checkOpen();
    if (!Number.isFinite(timeMs)) throw new TimelineError('TL_BAD_VALUE', `timeMs must be a finite number, got ${String(timeMs)}`);
    if (timeMs <= this.#lastGiven) throw new TimelineError('TL_BAD_VALUE', `timeMs ${timeMs} does not come after the previous frame's ${this.#lastGiven}`);
    const open = this.#open;
    // Within a segment the grid is startMs + k × period, computed as a reader computes it.
    const expected =
      this.#frameCount === 0 ? timeMs : open !== undefined ? open.startMs + open.frames.length * this.periodMs : this.#lastStored + this.periodMs;
    const gap = timeMs > expected + this.periodMs / 2;
    const stored = gap ? timeMs : expected;
    const fresh = open === undefined || open.frames.length >= this.keyframeInterval || gap;
    // Encode first: a TL_BAD_VALUE leaves the writer unchanged.
    const bytes = fresh ? this.#encoder.encodeKeyframe(values) : this.#encoder.encodeDelta(values);
    if (fresh) {
      if (open !== undefined) this.#close();
      this.#open = { index: this.#segmentCount, firstFrame: this.#frameCount, startMs: stored, frames: [bytes] };
    } else {
      open.frames.push(bytes);
    }
    this.#lastGiven = timeMs;
    this.#lastStored = stored;
    return { frame: this.#frameCount++, segment: this.#open!.index, timeMs: stored, keyframe: fresh, bytes };
  }

  /** Closes the open segment now (e.g. a live producer pauses); the next frame starts a new one. */
  flush(): void {
    this.#checkOpen();
    if (this.#open !== undefined) this.#close();
  }

  /** Resolves when every closed segment has its record (compression done). */
  async whenWritten(): Promise<void> {
    await this.#tail;
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows the compressor's failure as received
    if (this.#error !== undefined) throw this.#error;
  }

  /** Closes the open segment, waits for compression, and returns the whole file. Idempotent. */
  finish(): Promise<Uint8Array> {
    if (this.#finishing !== undefined) return this.#finishing;
    try {
      this.#checkOpen();
      if (this.#open !== undefined) this.#close();
    } catch (e) {
      return Promise.reject(e);
    }
    this.#finishing = (async () => {
      await this.whenWritten();
      // The INDEX starts where the last SEGMENT ends.
      return concatBytes([
        this.header,
        ...this.#segments.map((s) => s.record),
        writeIndex(this.#segments),
        writeFooter({ indexOffset: this.#fileOffset }),
        MAGIC,
      ]);
    })();
    // Stryker disable next-line ArrowFunction: the handler only marks the rejection handled; () => undefined does the same
    this.#finishing.catch(() => {}); // the caller handles it; avoid an unhandled rejection here
    return this.#finishing;
  }

  #checkOpen(): void {
    if (this.#error !== undefined) throw new TimelineError('TL_CLOSED', 'the writer failed earlier (see cause)', { cause: this.#error });
    if (this.#finishing !== undefined) throw new TimelineError('TL_CLOSED', 'the writer has finished');
  }

  /** The first failure is the one reported. */
  #fail(e: unknown): void {
    this.#error ??= e;
  }

  // Compression runs in order: synchronously while nothing is pending (a sync compressor gives
  // records inside append()), otherwise chained behind the pending ones.
  #close(): void {
    const open = this.#open!;
    this.#open = undefined;
    this.#segmentCount++;
    const payload = encodeSegmentPayload(open.index, open.firstFrame, open.startMs, open.frames);
    const done = (data: Uint8Array) => this.#emit(open, payload.length, data);
    if (this.#pending === 0) {
      let r: Promise<Uint8Array> | Uint8Array;
      try {
        r = this.#compress(payload);
        if (!isThenable<Uint8Array>(r)) {
          done(r);
          return;
        }
      } catch (e) {
        this.#fail(e);
        throw e;
      }
      this.#chain(Promise.resolve(r).then(done));
    } else {
      this.#chain(this.#tail.then(() => (this.#error === undefined ? Promise.resolve(this.#compress(payload)).then(done) : undefined)));
    }
  }

  #chain(work: Promise<void>): void {
    this.#pending++;
    this.#tail = work.then(
      () => void this.#pending--,
      (e: unknown) => {
        // Stryker disable next-line UpdateOperator: after a failure nothing reads #pending (every later call is TL_CLOSED)
        this.#pending--;
        this.#fail(e);
      },
    );
  }

  #emit(open: { index: number; firstFrame: number; startMs: number; frames: Uint8Array[] }, rawLength: number, data: Uint8Array): void {
    if (!(data instanceof Uint8Array))
      throw new TimelineError('TL_BAD_ARGUMENT', `compress must return a Uint8Array, got ${Object.prototype.toString.call(data).slice(8, -1)}`);
    // A file that says gzip must hold gzip: HTTP serves these bytes with Content-Encoding: gzip.
    if (this.compression === 'gzip' && !(data.length >= 18 && data[0] === 0x1f && data[1] === 0x8b && data[2] === 0x08)) {
      throw new TimelineError('TL_BAD_ARGUMENT', "compression is 'gzip' but compress did not return a gzip member (1f 8b 08, at least 18 bytes)");
    }
    const record = writeSegment({ index: open.index, firstFrame: open.firstFrame, frameCount: open.frames.length, startMs: open.startMs, rawLength }, data);
    const offset = this.#fileOffset;
    const segment: WrittenSegment = {
      index: open.index,
      firstFrame: open.firstFrame,
      frameCount: open.frames.length,
      startMs: open.startMs,
      endMs: open.startMs + (open.frames.length - 1) * this.periodMs,
      offset,
      length: record.length,
      dataOffset: offset + SEGMENT_DATA_AT,
      dataLength: data.length,
      rawLength,
      record,
      data: record.subarray(SEGMENT_DATA_AT, SEGMENT_DATA_AT + data.length),
    };
    this.#fileOffset += record.length;
    this.#segments.push(segment);
    try {
      this.#onSegment?.(segment);
    } catch (e) {
      this.#fail(e);
      throw e;
    }
  }
}
