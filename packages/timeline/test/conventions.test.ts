import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { varuintSize, writeVaruint, unzigzag, zigzag } from '@tidewire/base';
import { timelineReader } from '../src/bytes.ts';
import { crc32 } from '../src/index.ts';
import { forSeeds, hex, throwsTl, utf8 } from './helpers.ts';

describe('§2 conventions', () => {
  it('CRC32 is CRC-32/ISO-HDLC: crc32("123456789") = 0xCBF43926, "" = 0', () => {
    assert.equal(crc32(utf8('123456789')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  it('CRC32 equals zlib.crc32 on random inputs, any alignment, and continues across chunks', () => {
    forSeeds(3, (rng) => {
      for (let n = 0; n < 40; n++) {
        const bytes = Uint8Array.from({ length: rng.int(300) }, () => rng.int(256));
        const start = rng.int(bytes.length + 1);
        const view = bytes.subarray(start);
        assert.equal(crc32(view), zlibCrc32(view));
        const cut = rng.int(view.length + 1);
        assert.equal(crc32(view, crc32(view.subarray(0, cut)), cut), zlibCrc32(view));
      }
    });
  });

  it('zigzag maps 0, −1, 1, −2, 2 to 0, 1, 2, 3, 4 and is exact to ±2^52', () => {
    assert.deepEqual([0, -1, 1, -2, 2].map(zigzag), [0, 1, 2, 3, 4]);
    for (const n of [2 ** 31, -(2 ** 31), 2 ** 40 + 1, -(2 ** 50) - 3, 2 ** 52 - 1, -(2 ** 52)]) {
      assert.equal(unzigzag(zigzag(n)), n);
      assert.ok(zigzag(n) <= Number.MAX_SAFE_INTEGER);
    }
  });

  it('varuint known answers (LEB128) and bounds: ≤ 8 bytes, ≤ 2^53 − 1', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [127, '7f'],
      [128, '8001'],
      [300, 'ac02'],
      [2 ** 32, '8080808010'],
      [Number.MAX_SAFE_INTEGER, 'ffffffffffffff0f'],
    ];
    for (const [v, h] of cases) {
      const buf = new Uint8Array(varuintSize(v));
      assert.equal(writeVaruint(buf, 0, v), buf.length);
      assert.deepEqual(buf, hex(h));
      assert.equal(timelineReader(hex(h), 0, 'TL_TRUNCATED').varuint('v'), v);
    }
    throwsTl(() => timelineReader(hex('ffffffffffffff7f'), 0, 'TL_TRUNCATED').varuint('v'), 'TL_BAD_LENGTH', 0);
    throwsTl(() => timelineReader(hex('ffffffffffffffff01'), 0, 'TL_BAD_SEGMENT').varuint('v'), 'TL_BAD_SEGMENT', 0);
    throwsTl(() => timelineReader(hex('80'), 10, 'TL_TRUNCATED').varuint('v'), 'TL_TRUNCATED', 10);
  });

  it('u64 fields above 2^53 − 1 are TL_BAD_LENGTH at their offset', () => {
    const r = timelineReader(hex('00 0000000000002000'), 100, 'TL_TRUNCATED', 1);
    throwsTl(() => r.u64('n'), 'TL_BAD_LENGTH', 101);
    assert.equal(timelineReader(hex('ffffffffffff1f00'), 0, 'TL_TRUNCATED').u64('n'), Number.MAX_SAFE_INTEGER);
  });

  it('reads check the view, not the underlying buffer', () => {
    const big = hex('01 02 03 04 05 06 07 08');
    const r = timelineReader(big.subarray(2, 4), 2, 'TL_TRUNCATED');
    assert.equal(r.u16('x'), 0x0403);
    throwsTl(() => r.u8('y'), 'TL_TRUNCATED', 4);
  });
});
