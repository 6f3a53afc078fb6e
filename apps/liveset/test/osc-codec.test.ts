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
