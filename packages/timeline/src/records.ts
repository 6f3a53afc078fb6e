// Record framing of the segment file (docs/timeline-format.md §5.2): opcode • length • content
// • CRC32. One writer and one header reader per concern; the record layouts are in the
// modules that use them (segment.ts, writer.ts, reader.ts).

import { ByteWriter } from '@tidewire/base';
import { crc32 } from './crc32.ts';
import { TimelineError } from './errors.ts';

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

/** Checks a record's CRC32 (over opcode, length and content). */
export function checkRecordCrc(file: Uint8Array, h: RecordHeader): void {
  const crcAt = h.end - 4;
  const stored = (file[crcAt] | (file[crcAt + 1] << 8) | (file[crcAt + 2] << 16) | (file[crcAt + 3] << 24)) >>> 0;
  const actual = crc32(file, 0, h.offset, crcAt);
  if (stored !== actual) {
    throw new TimelineError('TL_BAD_CHECKSUM', `record 0x${h.opcode.toString(16).padStart(2, '0')} at ${h.offset}: CRC32 ${hex32(actual)} ≠ stored ${hex32(stored)}`, { offset: crcAt });
  }
}

function hex32(n: number): string {
  return n.toString(16).padStart(8, '0');
}
