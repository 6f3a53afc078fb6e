// Segment file reader (docs/timeline-format.md §5.9, §5.10). open() checks the magic, version,
// schema, footer and index (with their CRCs) and every segment record's header against its index
// entry, in O(segments); a segment's own CRC is checked the first time its bytes are used.
// No length is used before it has been checked against the bytes that hold it.

import { TimelineError } from './errors.ts';
import { LIMITS } from './limits.ts';
import {
  checkRecordCrc,
  FIRST_RESERVED_OPCODE,
  MAGIC,
  Opcode,
  parseFooter,
  parseHeader,
  parseIndex,
  parseSchema,
  parseSegment,
  readRecordHeader,
  RECORD_OVERHEAD,
  SEGMENT_DATA_AT,
  TAIL,
  type RecordHeader,
  type SegmentRecord,
} from './records.ts';
import type { TimelineSchema } from './schema.ts';
import { lastAtOrBefore } from './search.ts';
import { parseSegmentPayload, type Segment } from './segment.ts';
import type { Decompress, SegmentInfo } from './writer.ts';

export interface TimelineReaderOptions {
  /**
   * Read a file that has no INDEX/FOOTER (a live recording cut short): segments are found by
   * scanning records from the start, and the scan stops at the first incomplete or invalid one.
   */
  recover?: boolean;
}

/** One segment as open() or the recovery scan found it, checked against its SEGMENT record. */
interface KnownSegment {
  offset: number;
  length: number;
  firstFrame: number;
  frameCount: number;
  startMs: number;
  rawLength: number;
  dataLength: number;
}

function endsWithMagic(bytes: Uint8Array): boolean {
  const at = bytes.length - MAGIC.length;
  return MAGIC.every((b, i) => bytes[at + i] === b);
}

export class TimelineReader {
  readonly schema: TimelineSchema;
  readonly version: number;
  readonly compression: string;
  readonly library: string;
  readonly periodMs: number;
  readonly frameCount: number;
  readonly segmentCount: number;
  /** False when opened with `recover` from a file without index. */
  readonly complete: boolean;
  readonly #file: Uint8Array;
  // The index, as columns (Float64Array: offsets and frame numbers may pass 2^32).
  readonly #offset: Float64Array;
  readonly #length: Float64Array;
  readonly #firstFrame: Float64Array;
  readonly #frames: Uint32Array;
  readonly #startMs: Float64Array;
  readonly #rawLength: Uint32Array;
  readonly #dataLength: Float64Array;
  readonly #verified: Uint8Array;

  private constructor(
    file: Uint8Array,
    init: {
      schema: TimelineSchema;
      version: number;
      compression: string;
      library: string;
      complete: boolean;
      entries: KnownSegment[];
    },
  ) {
    this.#file = file;
    this.schema = init.schema;
    this.version = init.version;
    this.compression = init.compression;
    this.library = init.library;
    this.complete = init.complete;
    this.periodMs = 1000 / init.schema.rateHz;
    const n = init.entries.length;
    this.segmentCount = n;
    this.#offset = new Float64Array(n);
    this.#length = new Float64Array(n);
    this.#firstFrame = new Float64Array(n);
    this.#frames = new Uint32Array(n);
    this.#startMs = new Float64Array(n);
    this.#rawLength = new Uint32Array(n);
    this.#dataLength = new Float64Array(n);
    this.#verified = new Uint8Array(n);
    init.entries.forEach((e, i) => {
      this.#offset[i] = e.offset;
      this.#length[i] = e.length;
      this.#firstFrame[i] = e.firstFrame;
      this.#frames[i] = e.frameCount;
      this.#startMs[i] = e.startMs;
      this.#rawLength[i] = e.rawLength;
      this.#dataLength[i] = e.dataLength;
    });
    this.frameCount = n === 0 ? 0 : init.entries[n - 1].firstFrame + init.entries[n - 1].frameCount;
  }

  /**
   * Opens a whole file held in memory (the view may be a slice of a larger buffer; only its own
   * bytes are read). Throws TimelineError with the code and byte offset of the first problem.
   */
  static open(file: Uint8Array, options: TimelineReaderOptions = {}): TimelineReader {
    if (!(file instanceof Uint8Array)) throw new TimelineError('TL_BAD_ARGUMENT', `file must be a Uint8Array, got ${typeof file}`);
    const size = file.length;
    // 1. Leading magic.
    for (let i = 0; i < MAGIC.length; i++) {
      if (i >= size) throw new TimelineError('TL_TRUNCATED', `file of ${size} bytes ends inside the MAGIC`, { offset: size });
      if (file[i] !== MAGIC[i])
        throw new TimelineError('TL_BAD_MAGIC', `not a Tidewire timeline file: MAGIC byte ${i} is 0x${file[i].toString(16)}, not 0x${MAGIC[i].toString(16)}`, {
          offset: i,
        });
    }
    // The smallest file with a FOOTER: MAGIC • FOOTER • MAGIC (a shorter one would find its leading MAGIC at the end).
    const complete = size >= MAGIC.length * 2 + TAIL && endsWithMagic(file);
    // Before the footer is found a record that runs past the end may be a cut file or a bad length.
    const pastEnd = complete ? 'TL_BAD_LENGTH' : 'TL_TRUNCATED';
    const dataLimit = complete ? size - MAGIC.length : size;

    // 2. HEADER: version first, so a newer layout is reported as such and not as corruption.
    const hh = readRecordHeader(file, MAGIC.length, dataLimit, pastEnd);
    const { version, compression, library } = parseHeader(file, hh);

    // 3. SCHEMA.
    const sh = readRecordHeader(file, hh.end, dataLimit, pastEnd);
    const schema = parseSchema(file, sh);
    const init = { schema, version, compression, library };
    const period = 1000 / schema.rateHz;

    if (!complete) {
      if (options.recover === true) return new TimelineReader(file, { ...init, complete: false, entries: scanSegments(file, sh.end, period) });
      throw new TimelineError('TL_TRUNCATED', `file of ${size} bytes does not end with the MAGIC: cut short, or not finished`, { offset: size });
    }

    // 4. FOOTER, at a fixed distance from the end.
    const footerAt = size - TAIL;
    const fh = readRecordHeader(file, footerAt, size - MAGIC.length, 'TL_BAD_LENGTH');
    const { indexOffset } = parseFooter(file, fh);
    if (indexOffset < sh.end || indexOffset > footerAt - RECORD_OVERHEAD) {
      throw new TimelineError('TL_BAD_LENGTH', `FOOTER.index_offset ${indexOffset} is outside [${sh.end}, ${footerAt - RECORD_OVERHEAD}]`, {
        offset: fh.contentOffset,
      });
    }

    // 5. INDEX: entries checked for order and continuity, each against its SEGMENT record.
    const ih = readRecordHeader(file, indexOffset, footerAt, 'TL_BAD_LENGTH');
    const entries: KnownSegment[] = [];
    let nextFrame = 0;
    let minOffset = sh.end;
    let minStart = -Infinity;
    const index = parseIndex(file, ih);
    for (let i = 0; i < index.count; i++) {
      const { at, offset, length, firstFrame, frameCount, startMs } = index.entry(i);
      if (offset < minOffset || length > indexOffset - offset)
        throw new TimelineError('TL_BAD_LENGTH', `INDEX entry ${i}: segment [${offset}, +${length}) is outside [${minOffset}, ${indexOffset})`, { offset: at });
      if (firstFrame !== nextFrame)
        throw new TimelineError('TL_BAD_RECORD', `INDEX entry ${i}.first_frame ${firstFrame}, expected ${nextFrame}`, { offset: at + 16 });
      if (frameCount < 1 || frameCount > LIMITS.maxSegmentFrames)
        throw new TimelineError('TL_BAD_RECORD', `INDEX entry ${i}.frame_count ${frameCount} not in 1..${LIMITS.maxSegmentFrames}`, { offset: at + 24 });
      if (!Number.isFinite(startMs) || startMs < minStart)
        throw new TimelineError(
          'TL_BAD_RECORD',
          `INDEX entry ${i}.start_ms ${startMs} is not finite or below ${minStart} (half a period after the previous segment)`,
          {
            offset: at + 28,
          },
        );
      const segHeader = readRecordHeader(file, offset, indexOffset, 'TL_BAD_LENGTH');
      const seg = parseSegment(file, segHeader);
      const differs = (field: string, record: number, entry: number) =>
        new TimelineError('TL_BAD_RECORD', `INDEX entry ${i}: the SEGMENT record at ${offset} has ${field} ${record}, the entry ${entry}`, { offset: at });
      if (segHeader.end - offset !== length) throw differs('length', segHeader.end - offset, length);
      if (seg.index !== i) throw differs('index', seg.index, i);
      if (seg.firstFrame !== firstFrame) throw differs('first_frame', seg.firstFrame, firstFrame);
      if (seg.frameCount !== frameCount) throw differs('frame_count', seg.frameCount, frameCount);
      if (seg.startMs !== startMs) throw differs('start_ms', seg.startMs, startMs);
      entries.push({ offset, length, firstFrame, frameCount, startMs, rawLength: seg.rawLength, dataLength: seg.dataLength });
      nextFrame = firstFrame + frameCount;
      minOffset = offset + length;
      // The next segment starts at least half a period after this one's last frame (§5.11).
      minStart = startMs + (frameCount - 1) * period + period / 2;
    }
    return new TimelineReader(file, { ...init, complete: true, entries });
  }

  /** Time of the first frame (0 for an empty timeline). */
  get startMs(): number {
    return this.segmentCount === 0 ? 0 : this.#startMs[0];
  }

  /** Time of the last frame (0 for an empty timeline). */
  get endMs(): number {
    const n = this.segmentCount;
    return n === 0 ? 0 : this.#startMs[n - 1] + (this.#frames[n - 1] - 1) * this.periodMs;
  }

  /** endMs − startMs + one period: the span the frames cover (gaps included); 0 when empty. */
  get durationMs(): number {
    return this.segmentCount === 0 ? 0 : this.endMs - this.startMs + this.periodMs;
  }

  /** The segment holding the last frame at or before ms (segment 0 for earlier times); −1 when empty. O(log n). */
  segmentForTime(ms: number): number {
    if (typeof ms !== 'number' || Number.isNaN(ms))
      throw new TimelineError('TL_BAD_ARGUMENT', `time must be a number, got ${typeof ms === 'number' ? ms : typeof ms}`);
    if (this.segmentCount === 0) return -1;
    return Math.max(0, lastAtOrBefore(this.#startMs, this.segmentCount, ms));
  }

  /** The segment holding frame i. O(log n). */
  segmentForFrame(i: number): number {
    this.#checkFrame(i);
    return lastAtOrBefore(this.#firstFrame, this.segmentCount, i);
  }

  /** The last frame at or before ms (frame 0 for earlier times); −1 when empty. O(log n). */
  frameForTime(ms: number): number {
    const s = this.segmentForTime(ms);
    if (s < 0) return -1;
    // The epsilon absorbs rounding of startMs + k × period so a frame's own time maps to it.
    const k = Math.floor((ms - this.#startMs[s]) / this.periodMs + 1e-9);
    return this.#firstFrame[s] + Math.min(this.#frames[s] - 1, Math.max(0, k));
  }

  /** Time of frame i. O(log n). */
  timeOfFrame(i: number): number {
    const s = this.segmentForFrame(i);
    return this.#startMs[s] + (i - this.#firstFrame[s]) * this.periodMs;
  }

  segmentInfo(n: number): SegmentInfo {
    this.#checkSegment(n);
    const offset = this.#offset[n];
    return {
      index: n,
      firstFrame: this.#firstFrame[n],
      frameCount: this.#frames[n],
      startMs: this.#startMs[n],
      endMs: this.#startMs[n] + (this.#frames[n] - 1) * this.periodMs,
      offset,
      length: this.#length[n],
      dataOffset: offset + SEGMENT_DATA_AT,
      dataLength: this.#dataLength[n],
      rawLength: this.#rawLength[n],
    };
  }

  /** The stored (compressed) bytes of segment n, borrowed from the file; its CRC is checked on first use. */
  segmentBytes(n: number): Uint8Array {
    this.#checkSegment(n);
    const offset = this.#offset[n];
    if (this.#verified[n] === 0) {
      checkRecordCrc(this.#file, { opcode: Opcode.SEGMENT, offset, end: offset + this.#length[n] });
      this.#verified[n] = 1;
    }
    const dataOffset = offset + SEGMENT_DATA_AT;
    return this.#file.subarray(dataOffset, dataOffset + this.#dataLength[n]);
  }

  /** Checks every segment's CRC (open() checks only the index and the records' headers). */
  verify(): void {
    for (let n = 0; n < this.segmentCount; n++) this.segmentBytes(n);
  }

  /**
   * Decompresses and splits segment n. `decompress` may be omitted when the file's compression
   * is '' (stored). Throws TL_BAD_SEGMENT when the payload disagrees with its record.
   */
  async decodeSegment(n: number, decompress?: Decompress): Promise<Segment> {
    const data = this.segmentBytes(n);
    let payload: Uint8Array;
    if (this.compression === '') payload = data;
    else {
      if (typeof decompress !== 'function')
        throw new TimelineError('TL_BAD_ARGUMENT', `the file is ${this.compression}-compressed: pass a decompress function`);
      try {
        payload = await decompress(data);
      } catch (e) {
        throw new TimelineError('TL_BAD_SEGMENT', `segment ${n}: decompress failed: ${(e as Error)?.message ?? e}`, {
          offset: this.#offset[n] + SEGMENT_DATA_AT,
          cause: e,
        });
      }
    }
    const info = this.segmentInfo(n);
    if (!(payload instanceof Uint8Array))
      throw new TimelineError('TL_BAD_SEGMENT', `segment ${n}: decompress returned ${typeof payload}, not a Uint8Array`, { offset: info.dataOffset });
    if (payload.length !== info.rawLength) {
      throw new TimelineError('TL_BAD_SEGMENT', `segment ${n}: decompressed to ${payload.length} bytes, SEGMENT.raw_length is ${info.rawLength}`, {
        offset: info.dataOffset,
      });
    }
    const seg = parseSegmentPayload(payload, this.schema.rateHz);
    const differs = (field: string, got: number, want: number, offset: number) =>
      new TimelineError('TL_BAD_SEGMENT', `segment ${n}: payload.${field} is ${got}, the SEGMENT record says ${want}`, { offset });
    if (seg.index !== n) throw differs('index', seg.index, n, 0);
    if (seg.firstFrame !== info.firstFrame) throw differs('first_frame', seg.firstFrame, info.firstFrame, 4);
    if (seg.frameCount !== info.frameCount) throw differs('frame_count', seg.frameCount, info.frameCount, 12);
    if (seg.startMs !== info.startMs) throw differs('start_ms', seg.startMs, info.startMs, 16);
    return seg;
  }

  #checkSegment(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n >= this.segmentCount) throw new TimelineError('TL_BAD_ARGUMENT', `segment ${n} not in 0..${this.segmentCount - 1}`);
  }

  #checkFrame(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.frameCount) throw new TimelineError('TL_BAD_ARGUMENT', `frame ${i} not in 0..${this.frameCount - 1}`);
  }
}

/** Recovery scan (§5.9): SEGMENT records in order from `start`, skipping unknown records, until one is incomplete or invalid. */
function scanSegments(file: Uint8Array, start: number, period: number): KnownSegment[] {
  const entries: KnownSegment[] = [];
  let at = start;
  let nextFrame = 0;
  let minStart = -Infinity;
  for (;;) {
    let h: RecordHeader;
    let seg: SegmentRecord;
    try {
      h = readRecordHeader(file, at, file.length, 'TL_TRUNCATED');
      if (h.opcode !== Opcode.SEGMENT) {
        // INDEX, FOOTER, or a HEADER or SCHEMA out of place: the data section ends here.
        if (h.opcode < FIRST_RESERVED_OPCODE) break;
        checkRecordCrc(file, h);
        at = h.end; // an unknown record: skipped by its length
        continue;
      }
      seg = parseSegment(file, h);
      checkRecordCrc(file, h);
    } catch (e) {
      if (e instanceof TimelineError) break;
      throw e;
    }
    if (
      seg.index !== entries.length ||
      seg.firstFrame !== nextFrame ||
      seg.frameCount < 1 ||
      seg.frameCount > LIMITS.maxSegmentFrames ||
      !(seg.startMs >= minStart)
    )
      break;
    entries.push({
      offset: at,
      length: h.end - at,
      firstFrame: seg.firstFrame,
      frameCount: seg.frameCount,
      startMs: seg.startMs,
      rawLength: seg.rawLength,
      dataLength: seg.dataLength,
    });
    nextFrame += seg.frameCount;
    minStart = seg.startMs + (seg.frameCount - 1) * period + period / 2;
    at = h.end;
  }
  return entries;
}
