// The one byte codec every Tidewire format uses (docs/protocol.md §3, docs/timeline-format.md §2),
// in the spirit of lib0's encoding.js / decoding.js: unsigned LEB128 varuints (at most 8 bytes,
// value ≤ 2^53 − 1), zigzag, capped UTF-8 length, a growable little-endian writer and a
// bounds-checked little-endian cursor. Every read checks against the view it was given — which
// may be a slice of a larger buffer — never the underlying ArrayBuffer, so a read cannot run
// past one message into its neighbour.

import { defineErrors } from './errors.ts';

/** Largest number of bytes a varuint may take: 8 × 7 = 56 bits covers 2^53 − 1. */
export const MAX_VARUINT_BYTES = 8;
const TWO_32 = 2 ** 32;

export const BytesErrorCodes = {
  BYTES_TRUNCATED: { description: 'a read needs more bytes than the view has left (a value, or a varuint whose last byte still has the continuation bit)' },
  BYTES_VARUINT_TOO_LONG: { description: `a varuint longer than ${MAX_VARUINT_BYTES} bytes` },
  BYTES_UNSAFE_INTEGER: { description: 'a varuint or u64 above 2^53 − 1 (Number.MAX_SAFE_INTEGER)' },
} as const;

export type BytesErrorCode = keyof typeof BytesErrorCodes;

/** The default failure of a ByteReader; formats map these codes to their own (see ReadFailure). */
export class BytesError extends defineErrors('BytesError', BytesErrorCodes).Error {
  constructor(
    code: BytesErrorCode,
    message: string,
    /** Absolute offset of the value that failed to read. */
    readonly offset: number,
  ) {
    super(code, `${message} (at byte ${offset})`);
  }
}

/**
 * How a reader reports a bad read: it builds the error its format throws (TW_BAD_FRAME,
 * TL_TRUNCATED, …) from the byte-level code, a message naming the field, and the absolute offset.
 */
export type ReadFailure = (code: BytesErrorCode, message: string, offset: number) => Error;

const bytesFailure: ReadFailure = (code, message, offset) => new BytesError(code, message, offset);

export function varuintSize(value: number): number {
  let n = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    n++;
  }
  return n;
}

/** Writes a non-negative safe integer at `pos` (the caller has room for varuintSize(value)
 *  bytes); returns the position after it. */
export function writeVaruint(buf: Uint8Array, pos: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varuint out of range: ${value}`);
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

/** For comparing with cap: cap + 1 as soon as s is known to exceed cap UTF-8 bytes, else its
 *  UTF-8 length — or just s.length when even 3 bytes per unit stays within cap (a lower bound,
 *  which is all a `> cap` test needs). Lone surrogates count 3 bytes (what an encoder writes
 *  for U+FFFD). */
export function utf8LengthCapped(s: string, cap: number): number {
  const n = s.length;
  if (n > cap) return cap + 1;
  if (n * 3 <= cap) return n; // cannot exceed even if every unit were 3 bytes
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
    this.#buf = new Uint8Array(Math.max(1, initial));
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

export interface ByteReaderOptions {
  /** Offset of the view in its file or message, so errors name absolute offsets. Default 0. */
  readonly base?: number;
  /** Position in the view to start reading at. Default 0. */
  readonly start?: number;
  /** Builds the error a bad read throws. Default: a BytesError. */
  readonly fail?: ReadFailure;
}

/**
 * A bounds-checked little-endian cursor over one view. `what` names the field being read; it
 * goes into the error message. Reads never look past `buf.length`.
 */
export class ByteReader {
  pos: number;
  readonly base: number;
  readonly #fail: ReadFailure;
  readonly #view: DataView;

  constructor(
    readonly buf: Uint8Array,
    options: ByteReaderOptions = {},
  ) {
    this.pos = options.start ?? 0;
    this.base = options.base ?? 0;
    this.#fail = options.fail ?? bytesFailure;
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
    if (n > this.buf.length - this.pos) throw this.#fail('BYTES_TRUNCATED', `${what} needs ${n} bytes, ${this.buf.length - this.pos} left`, this.at);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
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
  /** A u64 that must be ≤ 2^53 − 1 (a larger one cannot be a real size or offset). */
  u64(what: string): number {
    this.need(8, what);
    const lo = this.#view.getUint32(this.pos, true);
    const hi = this.#view.getUint32(this.pos + 4, true);
    if (hi > 0x1fffff) throw this.#fail('BYTES_UNSAFE_INTEGER', `${what} exceeds 2^53 − 1`, this.at);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }
  f64(what: string): number {
    this.need(8, what);
    const v = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** A varuint of at most MAX_VARUINT_BYTES bytes whose value is ≤ 2^53 − 1. */
  varuint(what: string): number {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARUINT_BYTES; i++) {
      if (pos >= buf.length) throw this.#fail('BYTES_TRUNCATED', `${what} (varuint) runs past the end`, this.base + start);
      const b = buf[pos++]!;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (value > Number.MAX_SAFE_INTEGER) throw this.#fail('BYTES_UNSAFE_INTEGER', `${what} exceeds 2^53 − 1`, this.base + start);
        this.pos = pos;
        return value;
      }
      scale *= 128;
    }
    throw this.#fail('BYTES_VARUINT_TOO_LONG', `${what} (varuint) is longer than ${MAX_VARUINT_BYTES} bytes`, this.base + start);
  }
  /** n bytes, borrowed (a view, not a copy). */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  /** The rest of the view, borrowed. */
  restBorrow(): Uint8Array {
    const v = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return v;
  }
}
