// Test helpers shared by the frame tests: hex literals, concatenation, and the two checks every
// decoder gets (same result from a slice of a larger buffer; the expected error code).
import assert from 'node:assert/strict';
import { ProtocolError } from '@tidewire/protocol';

export const hex = (s: string) =>
  Uint8Array.from(
    s
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((b) => parseInt(b, 16)),
  );

export const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** Decodes `bytes`, and the same bytes as a slice of a larger buffer: the decoder must neither
 *  read its neighbours nor give another result. */
export function decodesAlike<F>(decode: (bytes: Uint8Array) => F, bytes: Uint8Array): F {
  const f = decode(bytes);
  const padded = cat(hex('ee'), bytes, hex('ee ee')).subarray(1, 1 + bytes.length);
  assert.deepEqual(decode(padded), f);
  return f;
}

export function rejectsWith(decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array, code: string): void {
  assert.throws(
    () => decode(bytes),
    (err: unknown) => err instanceof ProtocolError && err.code === code,
  );
}
