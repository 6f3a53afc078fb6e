// docs/liveset-osc.md §5: the OSC decoder fails with a coded OscDecodeError, and every drop code
// is documented where the drops are listed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { decodeOsc, encodeOsc, int } from '../src/osc/codec.ts';
import { OSC_DROP_CODES, OscDecodeError, type OscDropCode } from '../src/osc/errors.ts';

const hex = (s: string): Uint8Array => Uint8Array.from((s.replace(/\s+/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)));

function throwsCode(fn: () => unknown, code: OscDropCode): void {
  assert.throws(fn, (e: unknown) => OscDecodeError.is(e, code) && e.name === 'OscDecodeError');
}

/** `#bundle` • timetag 1 • n × (size • message). */
function bundle(messages: Uint8Array[]): Uint8Array {
  const parts = [hex('23 62 75 6e 64 6c 65 00'), hex('00 00 00 00 00 00 00 01')];
  for (const m of messages) {
    const size = new Uint8Array(4);
    new DataView(size.buffer).setUint32(0, m.length);
    parts.push(size, m);
  }
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

describe('§5 drops: the decoder', () => {
  it('decodes a message and keeps its type tags', () => {
    // "/a\0\0" ",i\0\0" int32 7
    assert.deepEqual(decodeOsc(hex('2f 61 00 00 2c 69 00 00 00 00 00 07')), [{ address: '/a', args: [{ type: 'i', value: 7 }] }]);
  });
  it('throws OSC_BAD_PACKET for bytes that are not OSC', () => {
    throwsCode(() => decodeOsc(hex('6e 6f 74 20 6f 73 63')), 'OSC_BAD_PACKET'); // "not osc"
    throwsCode(() => decodeOsc(hex('2f 61 00 00 2c 69 00 00')), 'OSC_BAD_PACKET'); // ",i" and no int
  });
  it('throws OSC_TOO_MANY_MESSAGES for a bundle above the cap, and not at the cap', () => {
    const m = encodeOsc('/a', [int(1)]);
    assert.equal(decodeOsc(bundle([m, m]), 2).length, 2);
    throwsCode(() => decodeOsc(bundle([m, m, m]), 2), 'OSC_TOO_MANY_MESSAGES');
  });
});

describe('§5 framing: strings and blobs', () => {
  it('throws OSC_BAD_STRING for a string with no NUL before the end', () => {
    // "/a\0\0" ",s\0\0" "Evil" (no NUL)
    throwsCode(() => decodeOsc(hex('2f 61 00 00 2c 73 00 00 45 76 69 6c')), 'OSC_BAD_STRING');
    // "/abc" with no NUL at all
    throwsCode(() => decodeOsc(hex('2f 61 62 63')), 'OSC_BAD_STRING');
  });
  it('throws OSC_BAD_STRING for padding that is not NUL or runs past the end', () => {
    // "/a\0\0" ",s\0\0" "Ev\0" 58 (padding byte 'X')
    throwsCode(() => decodeOsc(hex('2f 61 00 00 2c 73 00 00 45 76 00 58')), 'OSC_BAD_STRING');
    // "/a\0\0" ",s\0\0" "Evil\0" and 3 of the padding bytes missing
    throwsCode(() => decodeOsc(hex('2f 61 00 00 2c 73 00 00 45 76 69 6c 00')), 'OSC_BAD_STRING');
    // "/a\0" 01 (address padded with 0x01)
    throwsCode(() => decodeOsc(hex('2f 61 00 01 2c 00 00 00')), 'OSC_BAD_STRING');
  });
  it('throws OSC_BAD_BLOB for a size past the end, a negative size, or padding that is not NUL', () => {
    // "/a\0\0" ",b\0\0" size 100, 4 bytes
    throwsCode(() => decodeOsc(hex('2f 61 00 00 2c 62 00 00 00 00 00 64 61 62 63 64')), 'OSC_BAD_BLOB');
    // "/a\0\0" ",b\0\0" size -4
    throwsCode(() => decodeOsc(hex('2f 61 00 00 2c 62 00 00 ff ff ff fc')), 'OSC_BAD_BLOB');
    // "/a\0\0" ",b\0\0" size 1, 61, padding ff 00 00
    throwsCode(() => decodeOsc(hex('2f 61 00 00 2c 62 00 00 00 00 00 01 61 ff 00 00')), 'OSC_BAD_BLOB');
  });
  it('throws OSC_BAD_PACKET for bytes after the last argument and bundle elements that do not fit', () => {
    // "/a\0\0" ",i\0\0" int32 7, then 4 more bytes
    throwsCode(() => decodeOsc(hex('2f 61 00 00 2c 69 00 00 00 00 00 07 00 00 00 08')), 'OSC_BAD_PACKET');
    const m = encodeOsc('/a', [int(1)]);
    const b = bundle([m]);
    new DataView(b.buffer).setUint32(16, m.length + 4); // the element claims 4 bytes it does not have
    throwsCode(() => decodeOsc(b), 'OSC_BAD_PACKET');
    new DataView(b.buffer).setUint32(16, 6); // not a multiple of 4
    throwsCode(() => decodeOsc(b), 'OSC_BAD_PACKET');
  });
  it('accepts every type osc.js writes, and reads a blob from a view into a larger buffer', () => {
    const args = [
      { type: 'i', value: -5 },
      { type: 'f', value: 0.5 },
      { type: 's', value: 'abc' },
      { type: 's', value: 'abcd' },
      { type: 'b', value: Uint8Array.from([1, 2, 3, 4, 5]) },
      { type: 'T', value: true },
      { type: 'F', value: false },
      { type: 'N', value: null },
      { type: 'd', value: 1.25 },
    ];
    const bytes = encodeOsc('/all', args);
    assert.deepEqual(decodeOsc(bytes)[0]!.args, args);
    // The same packet 8 bytes into a larger buffer (osc.js alone read the blob from byte 0).
    const big = new Uint8Array(bytes.length + 16).fill(0xee);
    big.set(bytes, 8);
    assert.deepEqual(decodeOsc(big.subarray(8, 8 + bytes.length))[0]!.args, args);
  });
});

describe('§5 drops: the registry', () => {
  it('lists every drop code in docs/liveset-osc.md §5, and no other', () => {
    const doc = readFileSync(new URL('../../../docs/liveset-osc.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## 5.'), doc.indexOf('## 6.'));
    for (const [code, info] of Object.entries(OSC_DROP_CODES)) {
      assert.ok(info.description.length > 0, code);
      assert.match(section, new RegExp(`^\\| \`${code}\` \\|`, 'm'), `${code} is not in §5`);
    }
    const documented = [...section.matchAll(/^\| `(OSC_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual(documented.sort(), Object.keys(OSC_DROP_CODES).sort());
  });
});
