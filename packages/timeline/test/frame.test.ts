import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FrameDecoder, FrameEncoder, isKeyframe, MAX_F_QUANT, type TimelineSchema } from '../src/index.ts';
import { randomSchema, randomStream } from './gen.ts';
import { assertClose, forSeeds, hex, throwsTl, toHex } from './helpers.ts';

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
    throwsTl(() => dec.decode(hex('02 00')), 'TL_NO_KEYFRAME');
    dec.decode(hex('01 00'));
    assert.ok(dec.ready);
    dec.reset();
    throwsTl(() => dec.decode(hex('02 00')), 'TL_NO_KEYFRAME');
    dec.decode(hex('01 00'));
    throwsTl(() => dec.decode(hex('02 01 01 ff')), 'TL_BAD_FRAME');
    throwsTl(() => dec.decode(hex('02 00')), 'TL_NO_KEYFRAME');
    const enc = new FrameEncoder(tiny);
    throwsTl(() => enc.encodeDelta(new Float64Array(6)), 'TL_NO_KEYFRAME');
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
    throwsTl(() => dec.decode(delta, new Float64Array(5)), 'TL_BAD_ARGUMENT');
  });
});

describe('§3.1 encoder input', () => {
  const bad: [string, number[]][] = [
    ['infinite value', [Infinity, 0, 0, 0, 0, 0]],
    ['value out of range (i8 gear 128)', [0, 128, 0, 0, 0, 0]],
    ['value out of range after rounding (i8 gear −128.6)', [0, -128.6, 0, 0, 0, 0]],
    ['bool other than 0/1', [0, 0, 0.5, 0, 0, 0]],
    ["'f' beyond 2^48 − 1 steps", [2 ** 48 * 0.01, 0, 0, 0, 0, 0]],
  ];
  for (const [what, row] of bad) {
    it(`refuses ${what} with TL_BAD_VALUE and keeps its state`, () => {
      const enc = new FrameEncoder(tiny);
      const ok = Float64Array.of(1, 2, 1, 3, 4, 0);
      const first = enc.encodeKeyframe(ok);
      throwsTl(() => enc.encodeDelta(Float64Array.from(row)), 'TL_BAD_VALUE');
      // Unchanged state: the next delta of the same values is the empty delta.
      assert.equal(toHex(enc.encodeDelta(ok)), '0200');
      assert.equal(first[0], 1);
    });
  }
  it('refuses a values array of the wrong length or type with TL_BAD_ARGUMENT', () => {
    const enc = new FrameEncoder(tiny);
    throwsTl(() => enc.encodeKeyframe(new Float64Array(5)), 'TL_BAD_ARGUMENT');
    throwsTl(() => enc.encodeKeyframe([1, 2, 3, 4, 5, 6] as unknown as Float64Array), 'TL_BAD_ARGUMENT');
    throwsTl(() => new FrameEncoder(tiny, { maxOrder: 3 as 2 }), 'TL_BAD_ARGUMENT');
  });
});

describe('§4.2–§4.4 malformed frames', () => {
  const cases: [string, string, number][] = [
    ['empty', '', 0],
    ['unknown kind 0x00', '00 00', 0],
    ['unknown kind 0x03', '03 00', 0],
    ['ends inside the mask', '01', 1],
    ['mask bit past the last field', '01 08', 1],
    ['ends before a column', '01 01', 2],
    ['column order 3', '01 01 03 00 00', 2],
    ['column reserved bit', '01 01 10 00 00', 2],
    ['ends inside the presence bitmap', '01 01 04', 3],
    ['presence padding bit', '01 01 04 04', 3],
    ['residual bitmap padding bit', '01 01 08 04', 3],
    ['residual for an absent cell', '01 01 0c 01 02 00', 4],
    ['ends before a residual', '01 01 00 00', 4],
    ['ends inside a residual', '01 01 00 00 80', 4],
    ['residual longer than 8 bytes', '01 04 00 00 ff ff ff ff ff ff ff ff 01', 4],
    ['value out of range (i8 = 200)', '01 02 00 90 03 00', 3],
    ['bool value 2', '01 04 00 04 00', 3],
    ['trailing bytes', '01 00 00', 2],
  ];
  for (const [what, bytes, offset] of cases) {
    it(`rejects a frame with ${what}: TL_BAD_FRAME at byte ${offset}`, () => {
      throwsTl(() => new FrameDecoder(tiny).decode(hex(bytes)), 'TL_BAD_FRAME', offset);
    });
  }

  it('a predicted value outside the range (order 2 without a residual) is TL_BAD_FRAME', () => {
    const dec = new FrameDecoder(tiny);
    dec.decode(hex('01 02 00 00 00')); // gear a 0, b 0
    dec.decode(hex('02 02 01 fc 01 00')); // gear a 126, b 0
    throwsTl(() => dec.decode(hex('02 02 0a 00')), 'TL_BAD_FRAME', 2); // a: 2·126 − 0 = 252 > 127
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
