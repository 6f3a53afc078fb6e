// Helpers the targets share: packing generated values without letting the generator throw, and
// the round-trip comparison.
import { isDeepStrictEqual } from 'node:util';
import { concatBytes } from '@tidewire/base';
import { pack } from '@tidewire/protocol';
import { RoundTripMismatch } from '../target.ts';

/** A byte msgpack never starts a value with: what a generator emits when a value cannot be packed. */
const NEVER_USED = Uint8Array.of(0xc1);

/** msgpack(value), or one invalid byte when msgpackr refuses the value (a generator must not throw). */
export function safePack(value: unknown): Uint8Array {
  try {
    return plain(pack(value));
  } catch {
    return NEVER_USED;
  }
}

/** The parts one after the other (@tidewire/base concatBytes; number lists are taken as bytes). */
export function concat(...parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  return concatBytes(parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p))));
}

/**
 * The same bytes as a plain Uint8Array view. msgpackr hands back binary values as views of the
 * input's own kind (a Buffer from a Buffer, which pack() returns under Node; a Uint8Array from a
 * Uint8Array, what the fuzzer feeds), so a re-encoding is viewed as the fuzzer's inputs are.
 */
export function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Throws RoundTripMismatch unless `again` (decoded from the re-encoding) deep-equals `first`. */
export function sameAfterRoundTrip(what: string, first: unknown, again: unknown): void {
  if (!isDeepStrictEqual(first, again)) {
    throw new RoundTripMismatch(`${what}: re-encoded value decodes differently (${preview(first)} vs ${preview(again)})`);
  }
}

function preview(v: unknown): string {
  try {
    return (
      JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? `<${x.length} bytes>` : x))?.slice(0, 200) ?? String(v)
    );
  } catch {
    return String(v).slice(0, 200);
  }
}
