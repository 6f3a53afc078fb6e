// msgpack for payloads (docs/protocol.md §3): records on, no shared structures across frames.
import { Packr, Unpackr } from 'msgpackr';
import { badFrame } from './errors.ts';

// One instance each: records are per message (no `structures` option), so reusing the
// instances carries no state from one frame to the next.
const packr = new Packr({ useRecords: true, moreTypes: false });
const unpackr = new Unpackr({ useRecords: true, moreTypes: false });

export function pack(value: unknown): Uint8Array {
  return packr.pack(value);
}

/** Decodes exactly one msgpack value spanning all of `bytes`; anything else is TW_BAD_FRAME. */
export function unpack(bytes: Uint8Array, what = 'payload'): unknown {
  if (bytes.length === 0) throw badFrame(`${what} is empty`);
  try {
    return unpackr.unpack(bytes);
  } catch (err) {
    throw badFrame(`${what} is not valid msgpack: ${(err as Error).message.slice(0, 120)}`);
  }
}
