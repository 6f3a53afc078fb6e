// The records of the segment file (docs/timeline-format.md §5.2–§5.7), as foxglove/mcap's
// parse.ts / McapRecordBuilder.ts: the framing (opcode • length • content • CRC32), then one
// named parse and one named write function per record, each under its spec heading:
//
//   §5.3 HEADER  parseHeader  / writeHeader      §5.6 INDEX   parseIndex  / writeIndex
//   §5.4 SCHEMA  parseSchema  / writeSchema      §5.7 FOOTER  parseFooter / writeFooter
//   §5.5 SEGMENT parseSegment / writeSegment
//
// A parse function takes a record whose framing readRecordHeader has bounds-checked, checks
// its opcode, CRC (except SEGMENT's: §5.9 checks it on first use) and content, and throws a
// TimelineError at the offending byte. What needs more than one record (an index entry against
// its SEGMENT, the FOOTER's index_offset against the SCHEMA) is the reader's (reader.ts).

import { ByteWriter, type ByteReader } from '@tidewire/base';
import { timelineReader } from './bytes.ts';
import { crc32 } from './crc32.ts';
import { TimelineError } from './errors.ts';
import { LIMITS } from './limits.ts';
import { decodeSchema, encodeSchema, type TimelineSchema } from './schema.ts';

/** 0x89 "TWTL" CR LF 0x1A: a high byte, CR LF and ^Z catch 7-bit, line-ending and text-mode damage. */
export const MAGIC = Uint8Array.of(0x89, 0x54, 0x57, 0x54, 0x4c, 0x0d, 0x0a, 0x1a);
export const FORMAT_VERSION = 1;

export const Opcode = {
  HEADER: 0x01,
  SCHEMA: 0x02,
  SEGMENT: 0x03,
  INDEX: 0x04,
  FOOTER: 0x05,
} as const;

/** Opcodes 0x80–0xFF are for applications; readers skip them. 0x06–0x7F are reserved. */
export const FIRST_APPLICATION_OPCODE = 0x80;

/** Opcodes 0x01–0x05 are this version's records; a recovery scan stops at any of them but SEGMENT (§5.9). */
export const FIRST_RESERVED_OPCODE = 0x06;

export const RECORD_OVERHEAD = /* opcode */ 1 + /* length */ 8 + /* crc */ 4;
export const FOOTER_CONTENT = /* indexOffset */ 8;
export const FOOTER_RECORD = RECORD_OVERHEAD + FOOTER_CONTENT;
/** Bytes after the INDEX record: FOOTER record and the trailing magic. */
export const TAIL = FOOTER_RECORD + MAGIC.length;
/** Bytes of an index entry this version reads (§5.6); an INDEX may declare longer entries. */
export const INDEX_ENTRY = /* offset */ 8 + /* length */ 8 + /* firstFrame */ 8 + /* frameCount */ 4 + /* startMs */ 8;
/** SEGMENT content before `data` (§5.5). */
export const SEGMENT_FIXED = /* index */ 4 + /* firstFrame */ 8 + /* frameCount */ 4 + /* startMs */ 8 + /* rawLength */ 4 + /* dataLength */ 8;
/** Where a SEGMENT record's `data` starts, counted from the record's opcode byte. */
export const SEGMENT_DATA_AT = /* opcode */ 1 + /* length */ 8 + SEGMENT_FIXED;

/** Writes one whole record (with its CRC) from a content writer. */
export function encodeRecord(opcode: number, content: Uint8Array): Uint8Array {
  // Stryker disable next-line ArithmeticOperator: the size only preallocates; ByteWriter grows to fit
  const w = new ByteWriter(RECORD_OVERHEAD + content.length);
  w.u8(opcode).u64(content.length).bytes(content);
  const crc = crc32(w.borrow());
  return w.u32(crc).borrow();
}

export interface RecordHeader {
  opcode: number;
  /** Absolute offset of the record (its opcode byte). */
  offset: number;
  /** Absolute offset of the content. */
  contentOffset: number;
  contentLength: number;
  /** Absolute offset just past the CRC. */
  end: number;
}

/**
 * Reads the opcode and length of the record at `offset` and checks that the whole record fits
 * before `limit`. Nothing past the opcode and length is trusted before this check. `pastEnd` is
 * the code for a record that runs past `limit`: TL_TRUNCATED when the file may have been cut,
 * TL_BAD_LENGTH when the limit is a known boundary.
 */
export function readRecordHeader(file: Uint8Array, offset: number, limit: number, pastEnd: 'TL_TRUNCATED' | 'TL_BAD_LENGTH'): RecordHeader {
  if (offset + 9 > limit) throw new TimelineError(pastEnd, `record header needs 9 bytes, ${Math.max(0, limit - offset)} left`, { offset });
  const opcode = file[offset];
  const lo = file[offset + 1] | (file[offset + 2] << 8) | (file[offset + 3] << 16) | (file[offset + 4] << 24);
  const hi = file[offset + 5] | (file[offset + 6] << 8) | (file[offset + 7] << 16) | (file[offset + 8] << 24);
  if (hi >>> 0 > 0x1fffff) throw new TimelineError('TL_BAD_LENGTH', `record length exceeds 2^53 − 1`, { offset: offset + 1 });
  const contentLength = (hi >>> 0) * 2 ** 32 + (lo >>> 0);
  // Compared by subtraction so no sum can pass 2^53 and round.
  if (contentLength > limit - offset - RECORD_OVERHEAD) {
    throw new TimelineError(pastEnd, `record of ${contentLength} content bytes runs past byte ${limit}`, { offset: offset + 1 });
  }
  const contentOffset = offset + 9;
  return { opcode, offset, contentOffset, contentLength, end: contentOffset + contentLength + 4 };
}

/** `0x02 SCHEMA`, or `0x80` for an opcode this version does not name: how messages name a record. */
export function opcodeName(opcode: number): string {
  const hex = `0x${opcode.toString(16).padStart(2, '0')}`;
  const name = (Object.keys(Opcode) as (keyof typeof Opcode)[]).find((k) => Opcode[k] === opcode);
  return name === undefined ? hex : `${hex} ${name}`;
}

/** Checks a record's CRC32 (over opcode, length and content). */
export function checkRecordCrc(file: Uint8Array, h: Pick<RecordHeader, 'opcode' | 'offset' | 'end'>): void {
  const crcAt = h.end - 4;
  const stored = (file[crcAt] | (file[crcAt + 1] << 8) | (file[crcAt + 2] << 16) | (file[crcAt + 3] << 24)) >>> 0;
  const actual = crc32(file, 0, h.offset, crcAt);
  if (stored !== actual) {
    throw new TimelineError('TL_BAD_CHECKSUM', `${opcodeName(h.opcode)} record at ${h.offset}: CRC32 is ${hex32(actual)}, stored ${hex32(stored)}`, {
      offset: crcAt,
    });
  }
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function expectOpcode(h: RecordHeader, opcode: number, name: string): void {
  if (h.opcode !== opcode) throw new TimelineError('TL_BAD_RECORD', `${opcodeName(h.opcode)} where the ${name} record should be`, { offset: h.offset });
}

/** The content of a framed record, as a reader whose offsets are absolute. */
function contentReader(file: Uint8Array, h: RecordHeader): ByteReader {
  return timelineReader(file.subarray(h.contentOffset, h.contentOffset + h.contentLength), h.contentOffset, 'TL_BAD_RECORD');
}

// ---- §5.3 HEADER (0x01) -------------------------------------------------------------------

export interface HeaderRecord {
  version: number;
  /** `[a-z0-9-]{0,32}`: '' (stored) or e.g. 'gzip'. */
  compression: string;
  /** Free text naming the writer, ≤ 255 UTF-8 bytes. */
  library: string;
}

const COMPRESSION_NAME = /^[a-z0-9-]{0,32}$/;

/** Checks the names too: the writer's options end up here (TL_BAD_ARGUMENT). */
export function writeHeader(h: HeaderRecord): Uint8Array {
  if (typeof h.compression !== 'string' || !COMPRESSION_NAME.test(h.compression))
    throw new TimelineError('TL_BAD_ARGUMENT', `compression ${JSON.stringify(h.compression)} does not match [a-z0-9-]{0,32}`);
  const library = new TextEncoder().encode(h.library);
  if (library.length > 255) throw new TimelineError('TL_BAD_ARGUMENT', `library of ${library.length} UTF-8 bytes exceeds 255`);
  // Stryker disable next-line ArithmeticOperator: the size only preallocates; ByteWriter grows to fit
  const w = new ByteWriter(/* version */ 2 + /* compression_length */ 1 + h.compression.length + /* library_length */ 1 + library.length);
  w.u16(h.version).u8(h.compression.length);
  for (let i = 0; i < h.compression.length; i++) w.u8(h.compression.charCodeAt(i));
  w.u8(library.length).bytes(library);
  return encodeRecord(Opcode.HEADER, w.borrow());
}

/** The version is read first: a later version is TL_UNSUPPORTED_VERSION, not corruption (§5.3). */
export function parseHeader(file: Uint8Array, h: RecordHeader): HeaderRecord {
  expectOpcode(h, Opcode.HEADER, 'HEADER');
  checkRecordCrc(file, h);
  const r = contentReader(file, h);
  const version = r.u16('HEADER.version');
  if (version !== FORMAT_VERSION)
    throw new TimelineError('TL_UNSUPPORTED_VERSION', `HEADER.version ${version}: this reader reads version ${FORMAT_VERSION}`, { offset: h.contentOffset });
  const compression = String.fromCharCode(...r.bytes(r.u8('HEADER.compression_length'), 'HEADER.compression'));
  if (!COMPRESSION_NAME.test(compression))
    throw new TimelineError('TL_BAD_RECORD', `HEADER.compression ${JSON.stringify(compression)} does not match [a-z0-9-]{0,32}`, {
      offset: h.contentOffset + 2,
    });
  const libraryAt = r.at;
  const libraryBytes = r.bytes(r.u8('HEADER.library_length'), 'HEADER.library');
  let library: string;
  try {
    library = new TextDecoder('utf-8', { fatal: true }).decode(libraryBytes);
  } catch (e) {
    throw new TimelineError('TL_BAD_RECORD', 'HEADER.library is not UTF-8', { offset: libraryAt, cause: e });
  }
  // Bytes after the known fields are a newer minor version's additions: ignored.
  return { version, compression, library };
}

// ---- §5.4 SCHEMA (0x02) -------------------------------------------------------------------

export function writeSchema(schema: TimelineSchema): Uint8Array {
  return encodeRecord(Opcode.SCHEMA, encodeSchema(schema));
}

/** The length is checked against 4 MiB before the CRC or the JSON is read. */
export function parseSchema(file: Uint8Array, h: RecordHeader): TimelineSchema {
  expectOpcode(h, Opcode.SCHEMA, 'SCHEMA');
  if (h.contentLength > LIMITS.maxSchemaBytes)
    throw new TimelineError('TL_BAD_LENGTH', `SCHEMA of ${h.contentLength} bytes exceeds ${LIMITS.maxSchemaBytes}`, { offset: h.offset + 1 });
  checkRecordCrc(file, h);
  return decodeSchema(file.subarray(h.contentOffset, h.contentOffset + h.contentLength), h.contentOffset);
}

// ---- §5.5 SEGMENT (0x03) ------------------------------------------------------------------

export interface SegmentRecord {
  index: number;
  firstFrame: number;
  frameCount: number;
  startMs: number;
  /** Bytes of the decompressed payload. */
  rawLength: number;
  /** Bytes of `data` (the compressed payload), at `offset + SEGMENT_DATA_AT`. */
  dataLength: number;
}

/** The whole record; its `data` is at SEGMENT_DATA_AT (borrow it with subarray). */
export function writeSegment(s: Omit<SegmentRecord, 'dataLength'>, data: Uint8Array): Uint8Array {
  // Stryker disable next-line ArithmeticOperator: the size only preallocates; ByteWriter grows to fit
  const w = new ByteWriter(SEGMENT_FIXED + data.length);
  w.u32(s.index).u64(s.firstFrame).u32(s.frameCount).f64(s.startMs).u32(s.rawLength).u64(data.length).bytes(data);
  return encodeRecord(Opcode.SEGMENT, w.borrow());
}

/** The fixed fields, with raw_length ≤ 64 MiB and data_length within the record. Not the CRC (§5.9). */
export function parseSegment(file: Uint8Array, h: RecordHeader): SegmentRecord {
  expectOpcode(h, Opcode.SEGMENT, 'SEGMENT');
  const r = contentReader(file, h);
  const index = r.u32('SEGMENT.index');
  const firstFrame = r.u64('SEGMENT.first_frame');
  const frameCount = r.u32('SEGMENT.frame_count');
  const startMs = r.f64('SEGMENT.start_ms');
  const rawAt = r.at;
  const rawLength = r.u32('SEGMENT.raw_length');
  const dataAt = r.at;
  const dataLength = r.u64('SEGMENT.data_length');
  if (rawLength > LIMITS.maxSegmentBytes)
    throw new TimelineError('TL_BAD_LENGTH', `SEGMENT.raw_length ${rawLength} exceeds ${LIMITS.maxSegmentBytes}`, { offset: rawAt });
  if (dataLength > r.remaining)
    throw new TimelineError('TL_BAD_LENGTH', `SEGMENT.data_length ${dataLength} exceeds the ${r.remaining} bytes left in the record`, { offset: dataAt });
  return { index, firstFrame, frameCount, startMs, rawLength, dataLength };
}

// ---- §5.6 INDEX (0x04) --------------------------------------------------------------------

export interface IndexEntry {
  /** File offset of the SEGMENT record. */
  offset: number;
  /** Total bytes of that record (content + 13). */
  length: number;
  firstFrame: number;
  frameCount: number;
  startMs: number;
}

export function writeIndex(entries: readonly IndexEntry[]): Uint8Array {
  // Stryker disable next-line ArithmeticOperator: the size only preallocates; ByteWriter grows to fit
  const w = new ByteWriter(/* entry_size */ 4 + /* count */ 4 + entries.length * INDEX_ENTRY);
  w.u32(INDEX_ENTRY).u32(entries.length);
  for (const e of entries) w.u64(e.offset).u64(e.length).u64(e.firstFrame).u32(e.frameCount).f64(e.startMs);
  return encodeRecord(Opcode.INDEX, w.borrow());
}

export interface IndexRecord {
  /** Bytes per entry (≥ 36: a later version may append fields, which this one skips). */
  entrySize: number;
  count: number;
  /** Entry i, read where it lies, with `at`, its absolute offset, for the reader's checks. */
  entry(i: number): IndexEntry & { at: number };
}

/**
 * Checks entry_size (≥ 36) and that count entries fit in the content; entries are read one by
 * one as the caller asks, so the first bad entry is reported before a later one is read.
 */
export function parseIndex(file: Uint8Array, h: RecordHeader): IndexRecord {
  expectOpcode(h, Opcode.INDEX, 'INDEX');
  checkRecordCrc(file, h);
  const r = contentReader(file, h);
  const entrySizeAt = r.at;
  const entrySize = r.u32('INDEX.entry_size');
  if (entrySize < INDEX_ENTRY) throw new TimelineError('TL_BAD_RECORD', `INDEX.entry_size ${entrySize} is below ${INDEX_ENTRY}`, { offset: entrySizeAt });
  const countAt = r.at;
  const count = r.u32('INDEX.count');
  if (count * entrySize > r.remaining)
    throw new TimelineError('TL_BAD_LENGTH', `INDEX.count ${count}: ${count} entries of ${entrySize} bytes do not fit in ${r.remaining}`, { offset: countAt });
  const first = r.pos;
  return {
    entrySize,
    count,
    entry(i: number) {
      if (!Number.isInteger(i) || i < 0 || i >= count) throw new TimelineError('TL_BAD_ARGUMENT', `INDEX entry ${i} not in 0..${count - 1}`);
      r.pos = first + i * entrySize;
      const at = r.at;
      const offset = r.u64(`INDEX entry ${i}.offset`);
      const length = r.u64(`INDEX entry ${i}.length`);
      const firstFrame = r.u64(`INDEX entry ${i}.first_frame`);
      // Stryker disable next-line StringLiteral: count × entry_size was checked against the content, so this read cannot fail and its label never shows
      const frameCount = r.u32(`INDEX entry ${i}.frame_count`);
      // Stryker disable next-line StringLiteral: count × entry_size was checked against the content, so this read cannot fail and its label never shows
      const startMs = r.f64(`INDEX entry ${i}.start_ms`);
      return { at, offset, length, firstFrame, frameCount, startMs };
    },
  };
}

// ---- §5.7 FOOTER (0x05) -------------------------------------------------------------------

export interface FooterRecord {
  /** File offset of the INDEX record. */
  indexOffset: number;
}

export function writeFooter(f: FooterRecord): Uint8Array {
  return encodeRecord(Opcode.FOOTER, new ByteWriter(FOOTER_CONTENT).u64(f.indexOffset).borrow());
}

/** Exactly 8 bytes of content (a change is a new version, §5.7). */
export function parseFooter(file: Uint8Array, h: RecordHeader): FooterRecord {
  expectOpcode(h, Opcode.FOOTER, 'FOOTER');
  if (h.contentLength !== FOOTER_CONTENT)
    throw new TimelineError('TL_BAD_LENGTH', `FOOTER content is ${h.contentLength} bytes, expected ${FOOTER_CONTENT}`, { offset: h.offset + 1 });
  checkRecordCrc(file, h);
  return { indexOffset: contentReader(file, h).u64('FOOTER.index_offset') };
}
