// Hostile values for structure-aware generators (docs/fuzzing.md §3.2): numbers on every edge,
// strings that are long, empty, control-laden or not well-formed UTF-16, and values nested far
// deeper than any limit. Sizes stay small enough that one input decodes in well under a second.
import * as fc from 'fast-check';
import { INTERESTING_FLOATS, INTERESTING_INTS } from './mutate.ts';

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...INTERESTING_INTS),
  fc.constantFrom(...INTERESTING_FLOATS),
  fc.integer(),
  fc.double(),
  fc.nat({ max: 300 }),
);

/** A non-negative integer that is usually plausible and sometimes enormous. */
export const hostileCount: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.nat({ max: 64 }) },
  { weight: 1, arbitrary: fc.constantFrom(0xffff, 0x10000, 0xffffffff, 2 ** 32, 2 ** 53 - 1, 2 ** 53) },
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      'a',
      'x'.repeat(128),
      'x'.repeat(129),
      'é'.repeat(200),
      '\u0000',
      '\ud800',
      '\udfff\ud800',
      '🎵'.repeat(70),
      '__proto__',
      'constructor',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.nat({ max: 5000 }).map((n) => 'y'.repeat(n)) },
);

/** Wraps `leaf` in `depth` arrays or maps (built iteratively: depth may be in the thousands). */
export function nest(leaf: unknown, depth: number, asMap: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asMap ? { k: v } : [v];
  return v;
}

const leafValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileNumber,
  hostileString,
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 32 }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
);

/** Any msgpack-able value: scalars, small containers, and sometimes very deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: leafValue },
  {
    weight: 6,
    arbitrary: fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafValue, tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
    })).value,
  },
  // msgpackr packs a deeply nested value slowly (~5 µs a level): deeper inputs come from deepMsgpack.
  { weight: 1, arbitrary: fc.tuple(leafValue, fc.integer({ min: 50, max: 300 }), fc.boolean()).map(([leaf, depth, asMap]) => nest(leaf, depth, asMap)) },
);

/** msgpack of a value nested `depth` levels (arrays of one, or maps {k: …}), written directly. */
export const deepMsgpack: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.integer({ min: 1, max: 5000 }), fc.boolean(), fc.uint8Array({ minLength: 1, maxLength: 4 }))
  .map(([depth, asMap, leaf]) => {
    const level = asMap ? [0x81, 0xa1, 0x6b] : [0x91]; // fixmap(1) "k" | fixarray(1)
    const out = new Uint8Array(depth * level.length + leaf.length);
    for (let i = 0; i < depth; i++) out.set(level, i * level.length);
    out.set(leaf, depth * level.length);
    return out;
  });
