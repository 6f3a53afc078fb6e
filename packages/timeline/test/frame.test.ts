import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileLayout, FrameDecoder, FrameEncoder, isKeyframe, MAX_F_QUANT, type TimelineSchema } from '../src/index.ts';
import { predict } from '../src/frame-encoder.ts';
import { scaleDivisor } from '../src/layout.ts';
import { randomSchema, randomStream } from './gen.ts';
import { assertClose, forSeeds, hex, throwsNaming, throwsTl, toHex } from './helpers.ts';

const tiny: TimelineSchema = {
  name: 'kat',
  rateHz: 25,
  fields: [
    { name: 'x', type: 'f', scale: 0.01 },
    { name: 'gear', type: 'i8' },
    { name: 'drs', type: 'bool' },
  ],
  entities: [{ id: 'a' }, { id: 'b' }],
};

describe('§4.7 frame example (known answers)', () => {
  const enc = new FrameEncoder(tiny);
  const dec = new FrameDecoder(tiny);
  const frames = [
    [
      Float64Array.of(1.23, 3, 0, NaN, 4, 1),
      `
      01          # kind: keyframe
      07          # mask: columns 0, 1, 2
      04          # x: order 0, PRESENCE
      01          #   presence: a present, b absent
      f6 01       #   a: zigzag(123) = 246
      00          # gear: order 0, dense
      06          #   a: zigzag(3)
      08          #   b: zigzag(4)
      00          # drs: order 0, dense
      00          #   a: zigzag(0)
      02          #   b: zigzag(1)`,
    ],
    [
      Float64Array.of(1.5, 3, 0, 2, 4, 1),
      `
      02          # kind: delta
      01          # mask: column 0
      05          # x: order 1, PRESENCE
      03          #   presence: a, b
      36          #   a: zigzag(150 - 123) = 54
      90 03       #   b: zigzag(200 - 0) = 400`,
    ],
    [
      Float64Array.of(1.77, 3, 0, 2, 4, 1),
      `
      02          # kind: delta
      01          # mask: column 0
      0a          # x: order 2, SPARSE (a: 2*150 - 123 = 177; b: no history, order 1: 200)
      00          #   flagged: none`,
    ],
    [
      Float64Array.of(1.77, 3, 0, 2, 4, 1),
      `
      02          # kind: delta
      00          # mask: nothing changed`,
    ],
  ] as const;
  it('encodes the example byte for byte', () => {
    frames.forEach(([values, expected], i) => assert.equal(toHex(i === 0 ? enc.encodeKeyframe(values) : enc.encodeDelta(values)), toHex(hex(expected))));
  });
  it('decodes the example', () => {
    for (const [values, bytes] of frames) assert.deepEqual(dec.decode(hex(bytes)), values);
  });
  it('isKeyframe reads the kind byte', () => {
    assert.ok(isKeyframe(hex(frames[0][1])));
    assert.ok(!isKeyframe(hex(frames[1][1])));
    assert.ok(!isKeyframe(new Uint8Array(0)));
  });
});

describe('§4 frames: round trips at the schema precision', () => {
  it('random schemas and streams round-trip within scale / 2, for every maxOrder', () => {
    forSeeds(12, (rng) => {
      const schema = randomSchema(rng);
      const stream = randomStream(rng, schema, 60);
      for (const maxOrder of [2, 1, 0] as const) {
        const enc = new FrameEncoder(schema, { maxOrder });
        const dec = new FrameDecoder(schema);
        const again = new FrameEncoder(schema, { maxOrder });
        const out = new Float64Array(stream[0].length);
        const interval = 1 + rng.int(20);
        stream.forEach((v, i) => {
          const key = i % interval === 0;
          const bytes = key ? enc.encodeKeyframe(v) : enc.encodeDelta(v);
          assert.equal(isKeyframe(bytes), key);
          dec.decode(bytes, out);
          assertClose(schema, v, out, `maxOrder ${maxOrder}, frame ${i}`);
          // Decoded values are exact fixed points: encoding them again gives the same bytes.
          const re = key ? again.encodeKeyframe(out) : again.encodeDelta(out);
          assert.equal(toHex(re), toHex(bytes), `frame ${i}: re-encoding decoded values`);
        });
      }
    });
  });

  it('a decoder that starts at any keyframe decodes the same values as one that saw everything', () => {
    forSeeds(4, (rng) => {
      const schema = randomSchema(rng);
      const stream = randomStream(rng, schema, 40);
      const enc = new FrameEncoder(schema);
      const frames = stream.map((v, i) => (i % 10 === 0 ? enc.encodeKeyframe(v) : enc.encodeDelta(v)));
      const full = new FrameDecoder(schema);
      const all = frames.map((f) => full.decode(f));
      // Every keyframe, a fresh decoder each: the values come from the appended stream, and a
      // late joiner agrees with the decoder that saw everything bit for bit.
      const keyframes = frames.flatMap((f, i) => (isKeyframe(f) ? [i] : []));
      assert.deepEqual(keyframes, [0, 10, 20, 30]);
      for (const k of keyframes) {
        const late = new FrameDecoder(schema);
        for (let i = k; i < 40; i++) {
          const got = late.decode(frames[i]);
          assertClose(schema, stream[i], got, `joined at keyframe ${k}, frame ${i}`);
          assert.deepEqual(got, all[i], `joined at keyframe ${k}, frame ${i}`);
        }
      }
    });
  });

  it('extreme values of every type survive order-2 prediction (residuals up to 2^50)', () => {
    const schema: TimelineSchema = {
      name: 'x',
      rateHz: 25,
      entities: [{ id: 'a' }],
      fields: [
        { name: 'f', type: 'f', scale: 1 },
        { name: 'i32', type: 'i32' },
        { name: 'u32', type: 'u32' },
        { name: 'fl', type: 'flags', bits: 32 },
        { name: 'i8', type: 'i8' },
      ],
    };
    const seq = [
      [-MAX_F_QUANT, -(2 ** 31), 0, 0, -128],
      [MAX_F_QUANT, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32 - 1, 127],
      [-MAX_F_QUANT, -(2 ** 31), 0, 0, -128],
      [MAX_F_QUANT, 2 ** 31 - 1, 2 ** 32 - 1, 2 ** 32 - 1, 127],
    ];
    const enc = new FrameEncoder(schema);
    const dec = new FrameDecoder(schema);
    seq.forEach((row, i) => {
      const v = Float64Array.from(row);
      assert.deepEqual(dec.decode(i === 0 ? enc.encodeKeyframe(v) : enc.encodeDelta(v)), v);
    });
  });

  it('exact decimal scales decode to the nearest double of the decimal (1.23, not 1.2300000000000002)', () => {
    const s: TimelineSchema = {
      name: 's',
      rateHz: 1,
      fields: [
        { name: 'v', type: 'f', scale: 0.01 },
        { name: 'w', type: 'u16', scale: 0.1 },
      ],
      entities: [{ id: 'a' }],
    };
    const out = new FrameDecoder(s).decode(new FrameEncoder(s).encodeKeyframe(Float64Array.of(1.23, 123.4)));
    assert.deepEqual([...out], [1.23, 123.4]);
  });

  it('rounds half-way values towards +∞ and stores −0 as 0', () => {
    const s: TimelineSchema = { name: 's', rateHz: 1, fields: [{ name: 'v', type: 'i16', scale: 2 }], entities: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] };
    const out = new FrameDecoder(s).decode(new FrameEncoder(s).encodeKeyframe(Float64Array.of(3, -3, -0)));
    assert.deepEqual([...out], [4, -2, 0]);
    assert.ok(Object.is(out[2], 0));
  });
});

describe('§4.1 cell state and prediction', () => {
  it('a column left out of a keyframe is all present zeros; left out of a delta it repeats', () => {
    const dec = new FrameDecoder(tiny);
    assert.deepEqual([...dec.decode(hex('01 00'))], [0, 0, 0, 0, 0, 0]);
    dec.decode(hex('01 02 00 06 08')); // gear: a 3, b 4
    assert.deepEqual([...dec.decode(hex('02 00'))], [0, 3, 0, 0, 4, 0]);
  });

  it('a delta before any keyframe, after reset() or after a failed frame is TL_NO_KEYFRAME', () => {
    const dec = new FrameDecoder(tiny);
    throwsNaming(() => dec.decode(hex('02 00')), 'TL_NO_KEYFRAME', [/\bdelta frame without a keyframe\b/]);
    dec.decode(hex('01 00'));
    assert.ok(dec.ready);
    dec.reset();
    throwsTl(() => dec.decode(hex('02 00')), 'TL_NO_KEYFRAME');
    dec.decode(hex('01 00'));
    throwsTl(() => dec.decode(hex('02 01 01 ff')), 'TL_BAD_FRAME');
    throwsTl(() => dec.decode(hex('02 00')), 'TL_NO_KEYFRAME');
    const enc = new FrameEncoder(tiny);
    throwsNaming(() => enc.encodeDelta(new Float64Array(6)), 'TL_NO_KEYFRAME', [/\bencodeDelta before any keyframe\b/]);
  });

  it('order 2 falls back to order 1 on the first delta after a keyframe and after a cell reappears', () => {
    const dec = new FrameDecoder(tiny);
    dec.decode(hex('01 01 00 14 00')); // x: a 0.10, b 0
    // order 2 with residual 0: p2 is absent after a keyframe, so both cells predict q1.
    assert.deepEqual(
      [...dec.decode(hex('02 01 0a 00'))].filter((_, i) => i % 3 === 0),
      [0.1, 0],
    );
    dec.decode(hex('02 01 01 14 14')); // a 0.20, b 0.10
    assert.deepEqual(
      [...dec.decode(hex('02 01 0a 00'))].filter((_, i) => i % 3 === 0),
      [0.3, 0.2],
    );
  });

  it('writes every output cell, so one array can be reused, and allocates one only when not given', () => {
    const enc = new FrameEncoder(tiny);
    const dec = new FrameDecoder(tiny);
    const key = enc.encodeKeyframe(Float64Array.of(1, 2, 1, NaN, 5, 0));
    const delta = enc.encodeDelta(Float64Array.of(1, 2, 1, NaN, 5, 0));
    const out = new Float64Array(6).fill(99);
    assert.equal(dec.decode(key, out), out);
    assert.deepEqual([...out], [1, 2, 1, NaN, 5, 0]);
    out.fill(99);
    dec.decode(delta, out);
    assert.deepEqual([...out], [1, 2, 1, NaN, 5, 0]);
    assert.notEqual(dec.decode(delta), out);
    throwsNaming(() => dec.decode(delta, new Float64Array(5)), 'TL_BAD_ARGUMENT', [/\bout has 5 elements, not entities × fields = 6\b/]);
  });
});

describe('§3.1 encoder input', () => {
  const bad: [string, number[], RegExp[]][] = [
    ['infinite value', [Infinity, 0, 0, 0, 0, 0], [/\bfield "x", entity 0: value Infinity: not finite\b/]],
    ['−∞', [0, 0, 0, -Infinity, 0, 0], [/\bfield "x", entity 1: value -Infinity: not finite\b/]],
    ['value out of range (i8 gear 128)', [0, 128, 0, 0, 0, 0], [/\bfield "gear", entity 0: value 128: quantised to 128, outside \[-128, 127\]/]],
    ['value out of range after rounding (i8 gear −128.6)', [0, 0, 0, 0, -128.6, 0], [/\bfield "gear", entity 1: value -128\.6: quantised to -129\b/]],
    ['bool other than 0/1', [0, 0, 0.5, 0, 0, 0], [/\bfield "drs", entity 0: value 0\.5: a bool must be 0 or 1\b/]],
    ['bool 2', [0, 0, 0, 0, 0, 2], [/\bfield "drs", entity 1: value 2\b/]],
    ["'f' beyond 2^48 − 1 steps", [2 ** 48 * 0.01, 0, 0, 0, 0, 0], [/\bquantised to 281474976710656, outside \[-281474976710655, 281474976710655\]/]],
  ];
  for (const [what, row, names] of bad) {
    it(`refuses ${what} with TL_BAD_VALUE naming the field, entity and value, and keeps its state`, () => {
      const enc = new FrameEncoder(tiny);
      const ok = Float64Array.of(1, 2, 1, 3, 4, 0);
      const first = enc.encodeKeyframe(ok);
      throwsNaming(() => enc.encodeDelta(Float64Array.from(row)), 'TL_BAD_VALUE', names);
      // Unchanged state: the next delta of the same values is the empty delta.
      assert.equal(toHex(enc.encodeDelta(ok)), '0200');
      assert.equal(first[0], 1);
    });
  }
  it('refuses a values array of the wrong length or type with TL_BAD_ARGUMENT', () => {
    const enc = new FrameEncoder(tiny);
    throwsNaming(() => enc.encodeKeyframe(new Float64Array(5)), 'TL_BAD_ARGUMENT', [/\bvalues must be a Float64Array of entities × fields = 6, got 5\b/]);
    throwsNaming(() => enc.encodeKeyframe([1, 2, 3, 4, 5, 6] as unknown as Float64Array), 'TL_BAD_ARGUMENT', [/\bgot Array\b/]);
    throwsNaming(() => new FrameEncoder(tiny, { maxOrder: 3 as 2 }), 'TL_BAD_ARGUMENT', [/\bmaxOrder 3 is not 0, 1 or 2\b/]);
  });
});

describe('§4.2–§4.4 malformed frames', () => {
  const cases: [string, string, number, RegExp[]][] = [
    ['empty', '', 0, [/\bempty frame\b/]],
    ['unknown kind 0x00', '00 00', 0, [/\bunknown frame kind 0x00\b/]],
    ['unknown kind 0x03', '03 00', 0, [/\bunknown frame kind 0x03\b/]],
    ['ends inside the mask', '01', 1, [/\bframe ends inside the column mask of 1 bytes\b/]],
    ['mask bit past the last field', '01 08', 1, [/\bcolumn mask has bits past column 2, the last\b/]],
    ['ends before a column', '01 01', 2, [/\bframe ends before column 0 "x"/]],
    ['column order 3', '01 01 03 00 00', 2, [/\bcolumn 0 "x": header 0x03 has order 3 or a reserved bit\b/]],
    ['column reserved bit', '01 02 10 00 00', 2, [/\bcolumn 1 "gear": header 0x10\b/]],
    ['ends inside the presence bitmap', '01 01 04', 3, [/\bcolumn 0 "x": frame ends inside the presence bitmap\b/]],
    ['presence padding bit', '01 01 04 04', 3, [/\bcolumn 0 "x": presence bitmap has bits past entity 1, the last\b/]],
    ['ends inside the residual bitmap', '01 04 08', 3, [/\bcolumn 2 "drs": frame ends inside the residual bitmap\b/]],
    ['residual bitmap padding bit', '01 01 08 04', 3, [/\bcolumn 0 "x": residual bitmap has bits past entity 1\b/]],
    ['residual for an absent cell', '01 01 0c 01 02 00', 4, [/\bcolumn 0 "x", entity 1: a residual flagged for an absent cell\b/]],
    ['ends before a residual', '01 01 00 00', 4, [/\bcolumn 0 "x", entity 1: frame ends before the residual\b/]],
    ['ends inside a residual', '01 01 00 00 80', 4, [/\bcolumn 0 "x", entity 1: frame ends inside the residual\b/]],
    ['residual longer than 8 bytes', '01 04 00 00 ff ff ff ff ff ff ff ff 01', 4, [/\bcolumn 2 "drs", entity 1: residual longer than 8 bytes\b/]],
    ['value out of range (i8 = 200)', '01 02 00 90 03 00', 3, [/\bcolumn 1 "gear", entity 0: q 200 outside \[-128, 127\]/]],
    ['value below the range (i8 = −129)', '01 02 00 00 81 02', 4, [/\bcolumn 1 "gear", entity 1: q -129 outside \[-128, 127\]/]],
    ['bool value 2', '01 04 00 04 00', 3, [/\bcolumn 2 "drs", entity 0: q 2 outside \[0, 1\]/]],
    ['trailing bytes', '01 00 00', 2, [/\b1 bytes after the last column\b/]],
  ];
  for (const [what, bytes, offset, names] of cases) {
    it(`rejects a frame with ${what}: TL_BAD_FRAME at byte ${offset}, naming the column and entity`, () => {
      throwsNaming(() => new FrameDecoder(tiny).decode(hex(bytes)), 'TL_BAD_FRAME', names, offset);
    });
  }

  it('a predicted value outside the range (order 2 without a residual) is TL_BAD_FRAME', () => {
    const dec = new FrameDecoder(tiny);
    dec.decode(hex('01 02 00 00 00')); // gear a 0, b 0
    dec.decode(hex('02 02 01 fc 01 00')); // gear a 126, b 0
    // a: 2·126 − 0 = 252 > 127
    throwsNaming(() => dec.decode(hex('02 02 0a 00')), 'TL_BAD_FRAME', [/\bcolumn 1 "gear", entity 0: predicted q 252 outside \[-128, 127\]/], 2);
  });

  it('every truncation of valid frames is TL_BAD_FRAME, never another error', () => {
    forSeeds(3, (rng) => {
      const schema = randomSchema(rng);
      const stream = randomStream(rng, schema, 6);
      const enc = new FrameEncoder(schema);
      const frames = stream.map((v, i) => (i === 0 ? enc.encodeKeyframe(v) : enc.encodeDelta(v)));
      for (let i = 0; i < frames.length; i++) {
        for (let cut = 0; cut < frames[i].length; cut++) {
          const dec = new FrameDecoder(schema);
          for (let j = 0; j < i; j++) dec.decode(frames[j]);
          throwsTl(() => dec.decode(frames[i].subarray(0, cut)), 'TL_BAD_FRAME');
        }
      }
    });
  });

  it('a frame that is a view of a larger buffer is read only within its view', () => {
    const buf = hex('01 01 00 00 06 99 99');
    throwsTl(() => new FrameDecoder(tiny).decode(buf.subarray(0, 4)), 'TL_BAD_FRAME', 4);
  });
});

describe('§4.5 encoder choices (known answers)', () => {
  const x = (v: number) => Float64Array.of(v, 0, 0, v, 0, 0); // x of both entities; gear and drs stay 0
  const run = (maxOrder: 0 | 1 | 2 | undefined, values: Float64Array[]) => {
    const enc = new FrameEncoder(tiny, maxOrder === undefined ? {} : { maxOrder });
    return values.map((v, i) => toHex(i === 0 ? enc.encodeKeyframe(v) : enc.encodeDelta(v)));
  };

  it('§4.5 maxOrder 2 (default), 1 and 0 on x = 1.00, 1.50, 2.00: order 1 on a tie, order 2 once p₂ exists, order 0 absolute', () => {
    const values = [x(1), x(1.5), x(2)];
    // keyframe: x column only, order 0 dense, zigzag(100) = c8 01 per entity
    const key = '010100c801c801';
    assert.deepEqual(run(undefined, values), [key, '0201016464', '02010a00']);
    assert.deepEqual(run(2, values), [key, '0201016464', '02010a00']);
    assert.deepEqual(run(1, values), [key, '0201016464', '0201016464']);
    assert.deepEqual(run(0, values), [key, '020100ac02ac02', '02010090039003']);
  });

  it('§4.1 after a keyframe p₂ is absent: a delta that doubles the value is order 1 (2·q₁ − q₂ would predict it exactly)', () => {
    assert.deepEqual(run(2, [x(1), x(2)]), ['010100c801c801', '020101c801c801']);
    const dec = new FrameDecoder(tiny);
    dec.decode(hex('010100c801c801'));
    assert.deepEqual([...dec.decode(hex('02010a00'))], [1, 0, 0, 1, 0, 0]); // order 2 without p₂ predicts q₁
  });

  it('§4.5 a tie between dense and sparse is written dense', () => {
    const enc = new FrameEncoder(tiny);
    assert.equal(toHex(enc.encodeKeyframe(Float64Array.of(0, 3, 0, 0, 4, 0))), '0102000608');
    // gear a 3 → 4, b stays 4: order 1 dense (02 00) and sparse (bitmap 01, 02) both take 2 bytes
    assert.equal(toHex(enc.encodeDelta(Float64Array.of(0, 4, 0, 0, 4, 0))), '0202010200');
  });

  it('§4.5 absent cells cost nothing: the order is chosen by the present cells only', () => {
    const enc = new FrameEncoder(tiny);
    assert.equal(toHex(enc.encodeKeyframe(x(1))), '010100c801c801');
    // a 1.00 → 2.00, b goes absent: order 1 (a: zigzag(100) = c8 01), PRESENCE 01. Counting b's
    // residual against its prediction (100) would make order 0 look cheaper.
    assert.equal(toHex(enc.encodeDelta(Float64Array.of(2, 0, 0, NaN, 0, 0))), '02010501c801');
  });

  it('§4.1 predict: order 0 is 0, order 1 is q₁, order 2 is 2·q₁ − q₂ only when p₁ and p₂ are present', () => {
    assert.equal(predict(0, 5, 3, 1, 1), 0);
    assert.equal(predict(1, 5, 3, 1, 1), 5);
    assert.equal(predict(2, 5, 3, 1, 1), 7);
    assert.equal(predict(2, 5, 3, 0, 1), 5);
    assert.equal(predict(2, 5, 3, 1, 0), 5);
  });

  it('§4.4 the largest frames (every cell at an extreme, order-2 residuals near 2^50, two entities) fit the encoder buffer', () => {
    const schema: TimelineSchema = {
      name: 'x',
      rateHz: 25,
      entities: [{ id: 'a' }, { id: 'b' }],
      fields: [
        { name: 'f', type: 'f', scale: 1 },
        { name: 'g', type: 'f', scale: 1 },
        { name: 'u32', type: 'u32' },
      ],
    };
    const lo = [-MAX_F_QUANT, -MAX_F_QUANT, 0];
    const hi = [MAX_F_QUANT, MAX_F_QUANT, 2 ** 32 - 1];
    const enc = new FrameEncoder(schema);
    const dec = new FrameDecoder(schema);
    for (let i = 0; i < 5; i++) {
      const v = Float64Array.from([...(i % 2 ? hi : lo), ...(i % 2 ? lo : hi)]);
      const bytes = i === 0 ? enc.encodeKeyframe(v) : enc.encodeDelta(v);
      assert.deepEqual(dec.decode(bytes), v, `frame ${i}`);
    }
  });
});

describe('§4.4 decoding edge cases', () => {
  it('§4.1 a keyframe predicts 0 whatever its column order: stale q₁, q₂ and p₂ are reset', () => {
    const dec = new FrameDecoder(tiny);
    dec.decode(hex('01 02 00 06 08')); // gear a 3, b 4
    dec.decode(hex('02 02 01 02 02')); // gear a 4, b 5 (q₂ = 3, 4)
    assert.deepEqual([...dec.decode(hex('01 02 01 00 00'))], [0, 0, 0, 0, 0, 0]); // order 1, residual 0
    dec.decode(hex('02 02 01 08 0a')); // gear a 4, b 5
    dec.decode(hex('02 02 01 02 02')); // gear a 5, b 6
    assert.deepEqual([...dec.decode(hex('01 02 02 00 00'))], [0, 0, 0, 0, 0, 0]); // order 2, residual 0
  });

  it('§4.1 a keyframe makes every cell present, whatever the previous frame had', () => {
    const dec = new FrameDecoder(tiny);
    assert.deepEqual([...dec.decode(hex('01 02 04 01 06'))], [0, 3, 0, 0, NaN, 0]); // gear: b absent
    assert.deepEqual([...dec.decode(hex('01 00'))], [0, 0, 0, 0, 0, 0]);
  });

  it('§4.3 a presence bitmap may end the frame; 8 fields and 8 entities fill their bitmaps without padding', () => {
    assert.deepEqual([...new FrameDecoder(tiny).decode(hex('01 01 04 00'))], [NaN, 0, 0, NaN, 0, 0]);
    const eight: TimelineSchema = {
      name: 'e',
      rateHz: 1,
      fields: Array.from({ length: 8 }, (_, i) => ({ name: `f${i}`, type: 'u8' })),
      entities: [{ id: 'a' }],
    };
    assert.deepEqual([...new FrameDecoder(eight).decode(hex('01 ff 0002 0004 0006 0008 000a 000c 000e 0010'))], [1, 2, 3, 4, 5, 6, 7, 8]);
    const rows: TimelineSchema = {
      name: 'r',
      rateHz: 1,
      fields: [{ name: 'v', type: 'u8' }],
      entities: Array.from({ length: 8 }, (_, i) => ({ id: `e${i}` })),
    };
    assert.deepEqual([...new FrameDecoder(rows).decode(hex('01 01 0c ff ff 02 02 02 02 02 02 02 02'))], [1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('§2 varuint: a non-minimal residual of 8 bytes is accepted', () => {
    assert.deepEqual([...new FrameDecoder(tiny).decode(hex('01 02 00 80 80 80 80 80 80 80 00 02'))], [0, 0, 0, 0, 1, 0]);
  });

  it('§3.1 flags of n bits hold 0 … 2^n − 1: the encoder and the decoder refuse 2^n', () => {
    const s: TimelineSchema = { name: 'f', rateHz: 1, fields: [{ name: 'fl', type: 'flags', bits: 3 }], entities: [{ id: 'a' }] };
    assert.deepEqual([...new FrameDecoder(s).decode(hex('01 01 00 0e'))], [7]);
    throwsNaming(() => new FrameDecoder(s).decode(hex('01 01 00 10')), 'TL_BAD_FRAME', [/\bq 8 outside \[0, 7\]/], 3);
    throwsNaming(() => new FrameEncoder(s).encodeKeyframe(Float64Array.of(8)), 'TL_BAD_VALUE', [
      /\bfield "fl", entity 0: value 8: quantised to 8, outside \[0, 7\]/,
    ]);
  });

  it('§3.1 scales: 1/scale within 1e-9 of an integer decodes as q / d, otherwise as q × scale', () => {
    assert.deepEqual([0.01, 0.5, 1, 2, 4, 0.3].map(scaleDivisor), [100, 2, 1, 0, 0, 0]);
    assert.equal(scaleDivisor(1 / (100 + 5e-8)), 100); // 5e-8 ≤ 1e-9 × 100
    assert.equal(scaleDivisor(1 / (100 + 2e-7)), 0);
    const s: TimelineSchema = { name: 's', rateHz: 1, fields: [{ name: 'v', type: 'i16', scale: 0.3 }], entities: [{ id: 'a' }] };
    assert.deepEqual([...compileLayout(s).div], [0]);
    assert.deepEqual([...new FrameDecoder(s).decode(hex('01 01 00 06'))], [3 * 0.3]);
  });
});

describe('§3.3 codec constructors check the schema shape (compileLayout)', () => {
  const ok: TimelineSchema = { name: 's', rateHz: 1, fields: [{ name: 'v', type: 'u8' }], entities: [{ id: 'a' }] };
  const u8s = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `f${i}`, type: 'u8' as const }));
  const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `e${i}` }));
  const bad: [string, unknown, RegExp][] = [
    ['null', null, /\ba schema must be an object, got null\b/],
    ['a number', 42, /\ba schema must be an object, got number\b/],
    ['fields not an array', { ...ok, fields: 'x' }, /\bfields must be an array of 1\.\.256 entries, got string\b/],
    ['no fields', { ...ok, fields: [] }, /\bfields must be an array of 1\.\.256 entries, got 0\b/],
    ['257 fields', { ...ok, fields: u8s(257) }, /\bgot 257\b/],
    ['entities not an array', { ...ok, entities: {} }, /\bentities must be an array of 1\.\.4096 entries, got object\b/],
    ['no entities', { ...ok, entities: [] }, /\bentities must be an array of 1\.\.4096 entries, got 0\b/],
    ['4097 entities', { ...ok, entities: ids(4097) }, /\bgot 4097\b/],
    ['65,792 cells', { ...ok, fields: u8s(256), entities: ids(257) }, /\bentities × fields = 257 × 256 exceeds 65536\b/],
    ['a bad field', { ...ok, fields: [{ name: 'v', type: 'u9' }] }, /\bfields\[0\]\.type "u9"/],
  ];
  for (const [what, schema, name] of bad) {
    it(`§3.3 refuses ${what} with TL_BAD_SCHEMA`, () => {
      throwsNaming(() => new FrameDecoder(schema as TimelineSchema), 'TL_BAD_SCHEMA', [name]);
    });
  }
  it('§3.3 accepts 256 fields × 256 entities and 4096 entities', () => {
    assert.equal(compileLayout({ ...ok, fields: u8s(256), entities: ids(256) }).fields, 256);
    assert.equal(compileLayout({ ...ok, entities: ids(4096) }).entities, 4096);
    assert.equal(compileLayout({ ...ok, fields: u8s(1) }).fields, 1);
  });
});
