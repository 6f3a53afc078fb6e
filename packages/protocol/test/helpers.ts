// Test helpers shared by the frame tests: hex literals, concatenation, and the two checks every
// decoder gets (same result from a slice of a larger buffer; the expected error code and the names its message carries).
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

/** `run` throws a ProtocolError of `code` whose message names what was wrong: every pattern of
 *  `names` matches it (the field such as `HELLO.client`, the value or limit that failed). Tests
 *  match these names, never a whole sentence (docs/protocol.md §4.9). */
export function throwsNaming(run: () => unknown, code: string, names: readonly RegExp[] = []): void {
  assert.throws(run, (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `expected a ProtocolError, got ${String(err)}`);
    assert.equal(err.code, code);
    for (const name of names) assert.match(err.message, name);
    return true;
  });
}

export function rejectsWith(decode: (bytes: Uint8Array) => unknown, bytes: Uint8Array, code: string, names: readonly RegExp[] = []): void {
  throwsNaming(() => decode(bytes), code, names);
}
