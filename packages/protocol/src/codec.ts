// msgpack for payloads (docs/protocol.md §3): records on, no shared structures across frames.
import { Packr, Unpackr } from 'msgpackr';
import { badFrame } from './errors.ts';

// One instance each: records are per message (no `structures` option), so reusing the
// instances carries no state from one frame to the next.
// Stryker disable next-line ObjectLiteral: these are msgpackr's defaults (`{}` gives the same bytes); spelled out because §3 names them
const packr = new Packr({ useRecords: true, moreTypes: false });
// Snapshots bundle their strings into one block that the decoder turns into text with a single
// TextDecoder call: on a 17k-node tree that halves decode time for ~8% more bytes before
// compression. Any Unpackr reads it; small frames don't bundle (the block header costs bytes).
const snapshotPackr = new Packr({ useRecords: true, moreTypes: false, bundleStrings: true } as ConstructorParameters<typeof Packr>[0]);
// bundleStrings on the decoder too: without it msgpackr still reads bundled bodies, but through a
// slow path (17 ms instead of 4 ms for the 17k-node benchmark tree).
const unpackr = new Unpackr({ useRecords: true, moreTypes: false, bundleStrings: true } as ConstructorParameters<typeof Unpackr>[0]);

export function pack(value: unknown): Uint8Array {
  return packr.pack(value);
}

export function packSnapshot(value: unknown): Uint8Array {
  return snapshotPackr.pack(value);
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
