// Unsigned LEB128 (docs/protocol.md §3): at most 8 bytes, value ≤ 2^53 − 1; and the framing
// built on it that frames.ts and timeline-frames.ts share (a type byte, varuint header fields).
import { badFrame } from './errors.ts';

/** Largest number of bytes a varuint may take: 8 × 7 = 56 bits covers 2^53 − 1. */
export const MAX_VARUINT_BYTES = 8;

export function varuintSize(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes `value` at `pos` and returns the position after it. */
export function writeVaruint(buf: Uint8Array, pos: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varuint out of range: ${value}`);
  // Division rather than >>> 7: bit operators truncate to 32 bits.
  while (value >= 0x80) {
    buf[pos++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[pos++] = value;
  return pos;
}

const NO_TAIL = new Uint8Array(0);

/** type • varuint(h0) • varuint(h1) … • tail */
export function headedFrame(type: number, header: readonly number[], tail: Uint8Array = NO_TAIL): Uint8Array {
  let size = 1 + tail.length;
  for (const h of header) size += varuintSize(h);
  const out = new Uint8Array(size);
  out[0] = type;
  let pos = 1;
  for (const h of header) pos = writeVaruint(out, pos, h);
  out.set(tail, pos);
  return out;
}

/**
 * A cursor over one frame. Every read checks against the frame's own bounds (the view may be a
 * slice of a larger buffer, so `buf.length` — not the underlying ArrayBuffer — is the limit).
 */
export class FrameReader {
  pos: number;
  constructor(readonly buf: Uint8Array, start = 0) {
    this.pos = start;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(field: string): number {
    if (this.pos >= this.buf.length) throw badFrame(`frame ends before ${field} at offset ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  varuint(field: string): number {
    const start = this.pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARUINT_BYTES; i++) {
      if (this.pos >= this.buf.length) throw badFrame(`frame ends inside ${field} (varuint at offset ${start})`);
      const byte = this.buf[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (!Number.isSafeInteger(value)) throw badFrame(`${field} exceeds 2^53-1 (varuint at offset ${start})`);
        return value;
      }
      scale *= 128;
    }
    throw badFrame(`${field} is longer than ${MAX_VARUINT_BYTES} bytes (varuint at offset ${start})`);
  }

  /** The rest of the frame, borrowed (a view, not a copy). */
  restBorrow(): Uint8Array {
    const view = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return view;
  }
}

/** Header varuints are followed by nothing: trailing bytes are a malformed frame. */
export function expectEnd(r: FrameReader, frame: string): void {
  if (r.remaining !== 0) throw badFrame(`${frame} has ${r.remaining} trailing bytes at offset ${r.pos}`);
}
