// Byte-level helpers of docs/timeline-format.md §2 that are the timeline's own: bitmaps, and the
// file reader — @tidewire/base's bounds-checked ByteReader, failing with timeline codes. Varuints,
// zigzag, the growable writer and the cursor itself are @tidewire/base's (one codec for every
// format).

import { ByteReader, type ReadFailure } from '@tidewire/base';
import { TimelineError, type TimelineErrorCode } from './errors.ts';

export function bitmapBytes(bits: number): number {
  return (bits + 7) >>> 3;
}

/**
 * A bounds-checked little-endian cursor over one view of a file. `base` is the view's offset in
 * the file, so errors name absolute offsets. `short` is the code for running past the end or an
 * overlong varuint (TL_TRUNCATED for a file that may have been cut, TL_BAD_RECORD /
 * TL_BAD_SEGMENT inside a checked record); a value above 2^53 − 1 is TL_BAD_LENGTH (it cannot be
 * a real size or offset).
 */
export function timelineReader(buf: Uint8Array, base: number, short: TimelineErrorCode, start = 0): ByteReader {
  const fail: ReadFailure = (code, message, offset) => new TimelineError(code === 'BYTES_UNSAFE_INTEGER' ? 'TL_BAD_LENGTH' : short, message, { offset });
  return new ByteReader(buf, { base, start, fail });
}
