// docs/base.md §2: the byte codec (varuint, zigzag, capped UTF-8 length, ByteReader/ByteWriter).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ByteReader,
  BytesError,
  BytesErrorCodes,
  ByteWriter,
  concatBytes,
  MAX_VARUINT_BYTES,
  unzigzag,
  utf8LengthCapped,
  varuintSize,
  writeVaruint,
  zigzag,
  type BytesErrorCode,
} from '../src/index.ts';

const hex = (s: string): Uint8Array => Uint8Array.from((s.replace(/\s+/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function throwsBytes(fn: () => unknown, code: BytesErrorCode, offset: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(BytesError.is(e, code), `expected ${code}, got ${String(e)}`);
    assert.equal((e as BytesError).offset, offset);
    return true;
  });
}

// Unsigned LEB128, least significant group first: the vectors of docs/protocol.md §3.
const VARUINTS: [number, string][] = [
  [0, '00'],
  [1, '01'],
  [127, '7f'],
  [128, '80 01'],
  [300, 'ac 02'],
  [16383, 'ff 7f'],
  [16384, '80 80 01'],
  [2 ** 32, '80 80 80 80 10'],
  [Number.MAX_SAFE_INTEGER, 'ff ff ff ff ff ff ff 0f'],
];

test('§2.1 bytes: varuint known answers, written and read', () => {
  for (const [value, h] of VARUINTS) {
    const expected = hex(h);
    assert.equal(varuintSize(value), expected.length, `size of ${value}`);
    const buf = new Uint8Array(expected.length);
    assert.equal(writeVaruint(buf, 0, value), expected.length);
    assert.equal(toHex(buf), toHex(expected), `bytes of ${value}`);
    const r = new ByteReader(expected);
    assert.equal(r.varuint('v'), value);
    assert.equal(r.remaining, 0);
  }
});

test('§2.1 bytes: writeVaruint refuses negative, fractional and unsafe values', () => {
  const buf = new Uint8Array(16);
  for (const v of [-1, 0.5, Number.NaN, Infinity, Number.MAX_SAFE_INTEGER + 1]) assert.throws(() => writeVaruint(buf, 0, v), RangeError, String(v));
});

test('§2.1 bytes: a varuint that runs past the end is BYTES_TRUNCATED at its first byte', () => {
  throwsBytes(() => new ByteReader(hex('')).varuint('v'), 'BYTES_TRUNCATED', 0);
  throwsBytes(() => new ByteReader(hex('80')).varuint('v'), 'BYTES_TRUNCATED', 0);
  throwsBytes(() => new ByteReader(hex('00 ff ff'), { start: 1 }).varuint('v'), 'BYTES_TRUNCATED', 1);
});

test('§2.1 bytes: a varuint longer than 8 bytes is BYTES_VARUINT_TOO_LONG', () => {
  assert.equal(MAX_VARUINT_BYTES, 8);
  // 8 continuation bytes, then a ninth that would end it.
  throwsBytes(() => new ByteReader(hex('ff ff ff ff ff ff ff ff 01')).varuint('v'), 'BYTES_VARUINT_TOO_LONG', 0);
});

test('§2.1 bytes: a varuint above 2^53 − 1 is BYTES_UNSAFE_INTEGER', () => {
  // 8 bytes can carry 56 bits: 2^53 (the first unsafe value) and 2^56 − 1.
  throwsBytes(() => new ByteReader(hex('80 80 80 80 80 80 80 10')).varuint('v'), 'BYTES_UNSAFE_INTEGER', 0);
  throwsBytes(() => new ByteReader(hex('ff ff ff ff ff ff ff 7f')).varuint('v'), 'BYTES_UNSAFE_INTEGER', 0);
});

test('§2.4 bytes: reads check the view, not the buffer it is a slice of', () => {
  // The view is [80] inside 11 80 05: the 05 belongs to the neighbouring message.
  const big = hex('11 80 05');
  throwsBytes(() => new ByteReader(big.subarray(1, 2), { base: 1 }).varuint('v'), 'BYTES_TRUNCATED', 1);
  // Little-endian fixed-width reads stop at the view's end too, and name absolute offsets.
  const r = new ByteReader(hex('01 02 03 04 05 06 07 08').subarray(2, 5), { base: 2 });
  assert.equal(r.u16('a'), 0x0403);
  assert.equal(r.at, 4);
  throwsBytes(() => r.u16('b'), 'BYTES_TRUNCATED', 4);
  assert.equal(r.u8('c'), 5);
  throwsBytes(() => r.u8('d'), 'BYTES_TRUNCATED', 5);
});

test('§2.4 bytes: u64 above 2^53 − 1 is BYTES_UNSAFE_INTEGER; the largest safe one reads', () => {
  assert.equal(new ByteReader(hex('ff ff ff ff ff ff 1f 00')).u64('n'), Number.MAX_SAFE_INTEGER);
  throwsBytes(() => new ByteReader(hex('00 00 00 00 00 00 20 00')).u64('n'), 'BYTES_UNSAFE_INTEGER', 0);
});

test('§2.4 bytes: a reader maps failures to its format through fail()', () => {
  const seen: [string, number][] = [];
  const r = new ByteReader(hex('80'), { base: 40, fail: (code, _message, offset) => (seen.push([code, offset]), new TypeError(code)) });
  assert.throws(() => r.varuint('v'), TypeError);
  assert.deepEqual(seen, [['BYTES_TRUNCATED', 40]]);
});

test('§2.4 bytes: ByteWriter writes little-endian fields and grows', () => {
  const w = new ByteWriter(1);
  w.u8(0x01)
    .u16(0x0302)
    .u32(0x07060504)
    .u64(2 ** 32 + 8)
    .varuint(300)
    .f64(1)
    .bytes(hex('aa bb'));
  const at = w.pos;
  w.u32(0);
  w.patchU32(at, 0xdeadbeef);
  assert.equal(toHex(w.copy()), '01' + '0203' + '04050607' + '0800000001000000' + 'ac02' + '000000000000f03f' + 'aabb' + 'efbeadde');
  const r = new ByteReader(w.borrow());
  assert.deepEqual(
    [r.u8('a'), r.u16('b'), r.u32('c'), r.u64('d'), r.varuint('e'), r.f64('f'), toHex(r.bytes(2, 'g')), r.u32('h')],
    [1, 0x0302, 0x07060504, 2 ** 32 + 8, 300, 1, 'aabb', 0xdeadbeef],
  );
  assert.throws(() => new ByteWriter().u64(-1), RangeError);
  assert.equal(new ByteWriter(0).u8(7).copy()[0], 7);
});

test("§2.4 bytes: bytes() and restBorrow() borrow views of the reader's buffer", () => {
  const buf = hex('01 02 03 04');
  const r = new ByteReader(buf);
  const two = r.bytes(2, 'x');
  const rest = r.restBorrow();
  buf[1] = 0x22;
  buf[3] = 0x44;
  assert.equal(toHex(two), '0122');
  assert.equal(toHex(rest), '0344');
  assert.equal(r.remaining, 0);
});

test('§2.2 bytes: zigzag known answers and round trips beyond 32 bits', () => {
  assert.deepEqual([0, -1, 1, -2, 2].map(zigzag), [0, 1, 2, 3, 4]);
  for (const n of [2 ** 31, -(2 ** 31), 2 ** 40 + 1, -(2 ** 52)]) assert.equal(unzigzag(zigzag(n)), n);
});

test('§2.3 bytes: utf8LengthCapped counts UTF-8 bytes and stops past the cap', () => {
  assert.equal(utf8LengthCapped('abc', 10), 3);
  assert.equal(utf8LengthCapped('é', 1), 2); // c3 a9 > cap 1
  assert.equal(utf8LengthCapped('é€', 100), 2); // 3 bytes × 2 units ≤ cap: the unit count, a lower bound, is enough
  assert.equal(utf8LengthCapped('é€', 5), 5); // 3 × 2 > 5: counted exactly
  assert.equal(utf8LengthCapped('é€', 4), 5); // over the cap: cap + 1
  assert.equal(utf8LengthCapped('😀', 4), 4); // a surrogate pair is 4 bytes (counted: 2 units × 3 > 4)
  assert.equal(utf8LengthCapped('😀', 3), 4); // … so over a cap of 3
  assert.equal(utf8LengthCapped('\ud800x', 4), 4); // a lone surrogate counts 3 (U+FFFD), then 'x'
  assert.equal(utf8LengthCapped('x'.repeat(11), 10), 11); // longer than the cap in units alone
  // The contract: the result exceeds cap exactly when the UTF-8 length does.
  for (const s of ['a', 'é', '€', '😀', 'aé€😀', 'ab€€€']) {
    const bytes = new TextEncoder().encode(s).length;
    for (let cap = 0; cap <= bytes + 4; cap++) assert.equal(utf8LengthCapped(s, cap) > cap, bytes > cap, `${s} cap ${cap}`);
  }
});

test('§2.4 bytes: concatBytes joins views', () => {
  assert.equal(toHex(concatBytes([hex('01'), hex(''), hex('02 03').subarray(1)])), '0103');
});

test('§1 bytes: every BytesError code has a description', () => {
  for (const [code, info] of Object.entries(BytesErrorCodes)) assert.ok(info.description.length > 0, code);
});
