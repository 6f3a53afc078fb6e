// The OSC 1.0 framing rules osc.js does not check (docs/liveset-osc.md §5, issue 12).
//
// osc.js reads a string up to a NUL *or the end of the data*, skips its padding without
// looking at it, reads a blob of any size it is told (from the whole ArrayBuffer, not the
// packet), and reads a bundle element past its size into the next one. So a string with no
// terminator was applied to the mirror and counted as a good message. This walks the packet's
// structure first, within each element's own bounds, and throws a coded OscDecodeError for
// the first rule broken; osc.js then reads the values of a packet known to be well framed.
//
//   packet    := message | bundle
//   bundle    := "#bundle\0" • timetag(8) • { size(int32, > 0, multiple of 4) • packet(size) }*
//   message   := string(address, starts with "/") • string(type tags, starts with ",") • arg*
//   string    := bytes • NUL • NUL{0..3}   (total a multiple of 4; padding all NUL)
//   blob      := size(int32 ≥ 0) • bytes(size) • NUL{0..3}  (padding all NUL)
// Everything must end exactly at the end of its element: no trailing bytes.
import { OscDecodeError } from './errors.ts';

/** Argument sizes in bytes for the fixed-size OSC 1.0/1.1 types osc.js knows. */
const FIXED_SIZE: Readonly<Record<string, number>> = {
  i: 4, // int32
  f: 4, // float32
  c: 4, // char, as int32
  r: 4, // RGBA colour
  m: 4, // MIDI message
  h: 8, // int64
  d: 8, // float64
  t: 8, // timetag
  T: 0, // true
  F: 0, // false
  N: 0, // nil
  I: 0, // impulse
  '[': 0, // array start
  ']': 0, // array end
};

const BUNDLE_TAG = [0x23, 0x62, 0x75, 0x6e, 0x64, 0x6c, 0x65, 0x00]; // "#bundle\0"
const SLASH = 0x2f;
const COMMA = 0x2c;

/** Throws OscDecodeError unless `bytes` is a well-framed OSC packet. */
export function checkOscFraming(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkPacket(bytes, view, 0, bytes.length);
}

function checkPacket(bytes: Uint8Array, view: DataView, start: number, end: number): void {
  if (isBundle(bytes, start, end)) checkBundle(bytes, view, start, end);
  else checkMessage(bytes, view, start, end);
}

function isBundle(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < BUNDLE_TAG.length) return false;
  for (let i = 0; i < BUNDLE_TAG.length; i++) if (bytes[start + i] !== BUNDLE_TAG[i]) return false;
  return true;
}

function checkBundle(bytes: Uint8Array, view: DataView, start: number, end: number): void {
  let pos = start + /* "#bundle\0" */ 8 + /* timetag */ 8;
  if (pos > end) throw new OscDecodeError('OSC_BAD_PACKET', `bundle at byte ${start} ends inside its timetag`);
  while (pos < end) {
    if (pos + 4 > end) throw new OscDecodeError('OSC_BAD_PACKET', `bundle element size at byte ${pos} runs past the end`);
    const size = view.getInt32(pos);
    pos += 4;
    if (size <= 0 || size % 4 !== 0 || pos + size > end) {
      throw new OscDecodeError('OSC_BAD_PACKET', `bundle element at byte ${pos} has size ${size}: not a positive multiple of 4 within the bundle`);
    }
    checkPacket(bytes, view, pos, pos + size);
    pos += size;
  }
}

function checkMessage(bytes: Uint8Array, view: DataView, start: number, end: number): void {
  if (start === end || bytes[start] !== SLASH) throw new OscDecodeError('OSC_BAD_PACKET', `no OSC address or #bundle at byte ${start}`);
  let pos = checkString(bytes, start, end, 'the address');
  if (pos === end || bytes[pos] !== COMMA) throw new OscDecodeError('OSC_BAD_PACKET', `no type tag string at byte ${pos}`);
  const tagsStart = pos;
  pos = checkString(bytes, tagsStart, end, 'the type tags');
  // Type tags are ASCII; the NUL ends them (checkString found it).
  for (let t = tagsStart + 1; bytes[t] !== 0; t++) {
    const tag = String.fromCharCode(bytes[t]!);
    const fixed = FIXED_SIZE[tag];
    if (fixed !== undefined) {
      if (pos + fixed > end) throw new OscDecodeError('OSC_BAD_PACKET', `argument '${tag}' at byte ${pos} runs past the end`);
      pos += fixed;
    } else if (tag === 's' || tag === 'S') {
      pos = checkString(bytes, pos, end, `a string argument`);
    } else if (tag === 'b') {
      pos = checkBlob(bytes, view, pos, end);
    } else {
      throw new OscDecodeError('OSC_BAD_PACKET', `unknown type tag '${tag}'`);
    }
  }
  if (pos !== end) throw new OscDecodeError('OSC_BAD_PACKET', `${end - pos} bytes after the last argument`);
}

/** Returns the position after the string's padding. */
function checkString(bytes: Uint8Array, start: number, end: number, what: string): number {
  const nul = bytes.subarray(start, end).indexOf(0);
  if (nul < 0) throw new OscDecodeError('OSC_BAD_STRING', `${what} at byte ${start} has no NUL terminator before the end`);
  const terminator = start + nul;
  const next = (terminator + /* NUL */ 1 + 3) & ~3;
  if (next > end) throw new OscDecodeError('OSC_BAD_STRING', `${what} at byte ${start} is not padded to 4 bytes before the end`);
  for (let i = terminator + 1; i < next; i++) {
    if (bytes[i] !== 0) throw new OscDecodeError('OSC_BAD_STRING', `${what} at byte ${start} is padded with a non-NUL byte at ${i}`);
  }
  return next;
}

/** Returns the position after the blob's padding. */
function checkBlob(bytes: Uint8Array, view: DataView, start: number, end: number): number {
  if (start + 4 > end) throw new OscDecodeError('OSC_BAD_BLOB', `blob size at byte ${start} runs past the end`);
  const size = view.getInt32(start);
  const data = start + 4;
  if (size < 0 || data + size > end)
    throw new OscDecodeError('OSC_BAD_BLOB', `blob at byte ${start} has size ${size}, past the end (${end - data} bytes left)`);
  const next = (data + size + 3) & ~3;
  if (next > end) throw new OscDecodeError('OSC_BAD_BLOB', `blob at byte ${start} is not padded to 4 bytes before the end`);
  for (let i = data + size; i < next; i++) {
    if (bytes[i] !== 0) throw new OscDecodeError('OSC_BAD_BLOB', `blob at byte ${start} is padded with a non-NUL byte at ${i}`);
  }
  return next;
}
