// Byte-level primitives of docs/timeline-format.md §2: little-endian fixed-width integers and
// float64, varuint (LEB128), zigzag, bitmaps, and a growable writer. Readers check every length
// against the view they were given (which may be a slice of a larger buffer), never the buffer.

import { TimelineError, type TimelineErrorCode } from './errors.ts';

/** Largest number of bytes a varuint may take: 8 × 7 = 56 bits covers 2^53 − 1. */
export const MAX_VARUINT_BYTES = 8;
const TWO_32 = 2 ** 32;

export function varuintSize(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes a non-negative safe integer at pos; returns the position after it. */
export function writeVaruint(buf: Uint8Array, pos: number, value: number): number {
  // `& 0x7f` is exact for any safe integer (ToInt32 keeps the low bits); division, not >>> 7,
  // because shifts truncate to 32 bits.
  while (value >= 0x80) {
    buf[pos++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[pos++] = value;
  return pos;
}

/** Zigzag maps …, −2, −1, 0, 1, 2, … to 3, 1, 0, 2, 4, …; arithmetic, so exact beyond 32 bits. */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export function unzigzag(z: number): number {
  return z & 1 ? -(z + 1) / 2 : z / 2;
}

export function bitmapBytes(bits: number): number {
  return (bits + 7) >>> 3;
}

/** UTF-8 length of s, or cap + 1 as soon as it is known to exceed cap (lone surrogates count 3). */
export function utf8LengthCapped(s: string, cap: number): number {
  const n = s.length;
  if (n > cap) return cap + 1;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > cap) return cap + 1;
  }
  return bytes;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** An append-only little-endian writer that grows by doubling. */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  pos = 0;

  constructor(initial = 256) {
    this.#buf = new Uint8Array(initial);
    this.#view = new DataView(this.#buf.buffer);
  }

  #ensure(n: number): void {
    if (this.pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.#ensure(1);
    this.#buf[this.pos++] = v;
    return this;
  }
  u16(v: number): this {
    this.#ensure(2);
    this.#view.setUint16(this.pos, v, true);
    this.pos += 2;
    return this;
  }
  u32(v: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.pos, v, true);
    this.pos += 4;
    return this;
  }
  /** A non-negative safe integer as two little-endian u32 halves. */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 out of range: ${v}`);
    this.#ensure(8);
    this.#view.setUint32(this.pos, v % TWO_32, true);
    this.#view.setUint32(this.pos + 4, Math.floor(v / TWO_32), true);
    this.pos += 8;
    return this;
  }
  f64(v: number): this {
    this.#ensure(8);
    this.#view.setFloat64(this.pos, v, true);
    this.pos += 8;
    return this;
  }
  varuint(v: number): this {
    this.#ensure(MAX_VARUINT_BYTES);
    this.pos = writeVaruint(this.#buf, this.pos, v);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.#ensure(b.length);
    this.#buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  /** Overwrites a u32 written earlier (e.g. a length known only at the end). */
  patchU32(at: number, v: number): void {
    this.#view.setUint32(at, v, true);
  }
  /** Overwrites a u64 written earlier. */
  patchU64(at: number, v: number): void {
    this.#view.setUint32(at, v % TWO_32, true);
    this.#view.setUint32(at + 4, Math.floor(v / TWO_32), true);
  }
  /** The bytes written so far, borrowed (overwritten by later writes). */
  borrow(): Uint8Array {
    return this.#buf.subarray(0, this.pos);
  }
  /** The bytes written so far, copied. */
  copy(): Uint8Array {
    return this.#buf.slice(0, this.pos);
  }
}

/**
 * A bounds-checked little-endian cursor over one view. `base` is the view's offset in the file,
 * so errors name absolute offsets. `short` is the code for running past the end (TL_TRUNCATED
 * for a file that may have been cut, TL_BAD_RECORD / TL_BAD_SEGMENT inside a checked record).
 */
export class ByteReader {
  pos: number;
  readonly #view: DataView;

  constructor(
    readonly buf: Uint8Array,
    readonly base: number,
    readonly short: TimelineErrorCode,
    start = 0,
  ) {
    this.pos = start;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** Absolute offset of the cursor. */
  get at(): number {
    return this.base + this.pos;
  }

  need(n: number, what: string): void {
    if (n > this.buf.length - this.pos) {
      throw new TimelineError(this.short, `${what} needs ${n} bytes, ${this.buf.length - this.pos} left`, { offset: this.at });
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.#view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.#view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** A u64 that must be ≤ 2^53 − 1; a larger one is TL_BAD_LENGTH (it cannot be a real size or offset). */
  u64(what: string): number {
    this.need(8, what);
    const lo = this.#view.getUint32(this.pos, true);
    const hi = this.#view.getUint32(this.pos + 4, true);
    if (hi > 0x1fffff) throw new TimelineError('TL_BAD_LENGTH', `${what} exceeds 2^53 − 1`, { offset: this.at });
    this.pos += 8;
    return hi * TWO_32 + lo;
  }
  f64(what: string): number {
    this.need(8, what);
    const v = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  varuint(what: string): number {
    const start = this.pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARUINT_BYTES; i++) {
      if (this.pos >= this.buf.length) throw new TimelineError(this.short, `${what} (varuint) runs past the end`, { offset: this.base + start });
      const b = this.buf[this.pos++];
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (value > Number.MAX_SAFE_INTEGER) throw new TimelineError('TL_BAD_LENGTH', `${what} exceeds 2^53 − 1`, { offset: this.base + start });
        return value;
      }
      scale *= 128;
    }
    throw new TimelineError(this.short, `${what} (varuint) is longer than ${MAX_VARUINT_BYTES} bytes`, { offset: this.base + start });
  }
  /** n bytes, borrowed. */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}
