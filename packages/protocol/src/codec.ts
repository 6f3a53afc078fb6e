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

/**
 * How deep arrays and maps may nest in one payload (docs/protocol.md §3.1). msgpackr decodes
 * recursively, so without a bound whether a deeply nested body decodes would depend on how much
 * stack its caller has left (≈4,400 levels at the top of a Node process, ≈1,900 under 5,000
 * frames): the same bytes would be a value on one path and an error on another. Every body the
 * protocol defines nests a few levels (tree snapshots are columns, not nested nodes).
 */
export const MAX_NESTING = 512;

/** Decodes exactly one msgpack value spanning all of `bytes`; anything else is TW_BAD_FRAME. */
export function unpack(bytes: Uint8Array, what = 'payload'): unknown {
  if (bytes.length === 0) throw badFrame(`${what} is empty`);
  let value: unknown;
  try {
    value = unpackr.unpack(bytes);
  } catch (err) {
    if (isStackOverflow(err)) throw tooDeep(what);
    throw badFrame(`${what} is not valid msgpack: ${(err as Error).message.slice(0, 120)}`);
  }
  // Each level of nesting takes at least one byte, so a short body cannot be too deep.
  // Stryker disable next-line EqualityOperator,ConditionalExpression: the length test only skips a walk whose answer is already known (false)
  if (bytes.length > MAX_NESTING && nestsDeeperThan(value, MAX_NESTING)) throw tooDeep(what);
  return value;
}

function tooDeep(what: string) {
  return badFrame(`${what} nests arrays and maps deeper than ${MAX_NESTING} levels`);
}

function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}

/**
 * True when `value` has arrays, maps or objects more than `levels` deep; recursion stops at
 * `levels`. msgpack maps decode to Maps here (records to objects), binary to a Uint8Array,
 * whose bytes are not walked.
 */
function nestsDeeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (levels === 0) return true;
  // reason: an indexed loop over arrays, not `for…in` (which enumerates indices as strings), and
  // no call for a leaf: this runs on every large OPS body a client receives.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null && !ArrayBuffer.isView(item) && nestsDeeperThan(item, levels - 1)) return true;
    }
    return false;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) if (nestsDeeperThan(k, levels - 1) || nestsDeeperThan(v, levels - 1)) return true;
    return false;
  }
  for (const k in value) if (nestsDeeperThan((value as Record<string, unknown>)[k], levels - 1)) return true;
  return false;
}
