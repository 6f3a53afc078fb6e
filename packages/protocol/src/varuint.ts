// The framing frames.ts and timeline-frames.ts share (a type byte, varuint header fields), built
// on the one byte codec of @tidewire/base (varuints: docs/protocol.md §3).
import { ByteReader, varuintSize, writeVaruint, type ReadFailure } from '@tidewire/base';
import { badFrame } from './errors.ts';

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

/** Every bad read inside a frame (truncated, overlong varuint, above 2^53 − 1) is TW_BAD_FRAME. */
const frameFailure: ReadFailure = (_code, message, offset) => badFrame(`${message} at offset ${offset}`);

/**
 * A cursor over one frame: @tidewire/base's ByteReader, whose reads check against the frame's
 * own bounds and fail with TW_BAD_FRAME.
 */
export class FrameReader extends ByteReader {
  constructor(buf: Uint8Array, start = 0) {
    super(buf, { start, fail: frameFailure });
  }
}

/** Header varuints are followed by nothing: trailing bytes are a malformed frame. */
export function expectEnd(r: FrameReader, frame: string): void {
  if (r.remaining !== 0) throw badFrame(`${frame} has ${r.remaining} trailing bytes at offset ${r.pos}`);
}
