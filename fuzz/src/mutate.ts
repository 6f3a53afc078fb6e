// Byte-level mutations of a seed corpus (docs/fuzzing.md §3.1): bit flips, byte sets, truncations,
// cuts, splices from another seed, duplicated ranges, and length-field edits (an interesting
// integer written as u8/u16/u32/u64 in either byte order, as a varuint, or a special float).
// Positions are drawn as fractions of the input's length so one mutation plan applies to any
// seed and shrinks towards the start of the input and towards fewer, smaller edits.
import * as fc from 'fast-check';

/** Integers that sit on the edges decoders compare lengths and counts against. */
export const INTERESTING_INTS = [
  0,
  1,
  2,
  3,
  4,
  7,
  8,
  15,
  16,
  31,
  32,
  63,
  64,
  127,
  128,
  255,
  256,
  1023,
  1024,
  4095,
  4096,
  0x7fff,
  0x8000,
  0xffff,
  0x10000,
  0x7fffffff,
  0x80000000,
  0xffffffff,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 63,
  2 ** 64 - 1,
  -1,
  -2,
  -128,
  -32768,
  -(2 ** 31),
] as const;

/** Floats that break arithmetic: NaN, infinities, −0, the extremes. */
export const INTERESTING_FLOATS = [NaN, Infinity, -Infinity, -0, 1e308, -1e308, 5e-324, 3.4028234663852886e38, 1e-45, 0.1, 2 ** 53] as const;

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'cut'; at: number; len: number }
  | { kind: 'splice'; at: number; from: number; other: number; len: number }
  | { kind: 'repeat'; at: number; len: number; times: number }
  | { kind: 'int'; at: number; value: number; width: 1 | 2 | 4 | 8; little: boolean }
  | { kind: 'varuint'; at: number; value: number; insert: boolean }
  | { kind: 'float'; at: number; value: number; width: 4 | 8; little: boolean };

const frac = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const interestingInt = fc.oneof(fc.constantFrom(...INTERESTING_INTS), fc.integer({ min: -1000, max: 70000 }));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: frac, bit: fc.integer({ min: 0, max: 7 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('byte' as const),
      at: frac,
      value: fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 255 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: frac }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: frac, len: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: frac, from: frac, other: fc.nat(), len: fc.integer({ min: 1, max: 256 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('repeat' as const), at: frac, len: fc.integer({ min: 1, max: 32 }), times: fc.integer({ min: 1, max: 16 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('int' as const),
      at: frac,
      value: interestingInt,
      width: fc.constantFrom(1 as const, 2 as const, 4 as const, 8 as const),
      little: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('varuint' as const), at: frac, value: interestingInt, insert: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('float' as const),
      at: frac,
      value: fc.constantFrom(...INTERESTING_FLOATS),
      width: fc.constantFrom(4 as const, 8 as const),
      little: fc.boolean(),
    }),
  },
);

function varuintBytes(value: number): number[] {
  // Negative and fractional values become their magnitude: this is a fuzzer, not an encoder.
  let v = Math.floor(Math.abs(value));
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function intBytes(value: number, width: 1 | 2 | 4 | 8, little: boolean): number[] {
  const big = BigInt.asUintN(width * 8, BigInt(Math.trunc(value)));
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(Number((big >> BigInt(8 * i)) & 0xffn));
  return little ? out : out.reverse();
}

function floatBytes(value: number, width: 4 | 8, little: boolean): number[] {
  const view = new DataView(new ArrayBuffer(width));
  if (width === 4) view.setFloat32(0, value, little);
  else view.setFloat64(0, value, little);
  return [...new Uint8Array(view.buffer)];
}

function overwrite(bytes: number[], at: number, patch: number[]): void {
  for (let i = 0; i < patch.length && at + i < bytes.length; i++) bytes[at + i] = patch[i]!;
}

/** Applies `plan` to a copy of `seed`; `seeds` feed the splices. */
export function applyMutations(seed: Uint8Array, plan: readonly Mutation[], seeds: readonly Uint8Array[]): Uint8Array {
  const b = Array.from(seed);
  for (const m of plan) {
    const at = Math.floor(m.at * (b.length + (m.kind === 'truncate' || m.kind === 'splice' || m.kind === 'varuint' ? 1 : 0)));
    switch (m.kind) {
      case 'flip':
        if (at < b.length) b[at]! ^= 1 << m.bit;
        break;
      case 'byte':
        if (at < b.length) b[at] = m.value;
        break;
      case 'truncate':
        b.length = at;
        break;
      case 'cut':
        b.splice(at, m.len);
        break;
      case 'splice': {
        const other = seeds[m.other % seeds.length]!;
        const from = Math.floor(m.from * other.length);
        b.splice(at, 0, ...other.subarray(from, from + m.len));
        break;
      }
      case 'repeat': {
        const piece = b.slice(at, at + m.len);
        const copies: number[] = [];
        for (let i = 0; i < m.times; i++) copies.push(...piece);
        b.splice(at, 0, ...copies);
        break;
      }
      case 'int':
        overwrite(b, at, intBytes(m.value, m.width, m.little));
        break;
      case 'varuint':
        if (m.insert) b.splice(at, 0, ...varuintBytes(m.value));
        else overwrite(b, at, varuintBytes(m.value));
        break;
      case 'float':
        overwrite(b, at, floatBytes(m.value, m.width, m.little));
        break;
    }
  }
  return Uint8Array.from(b);
}

/** Mutations of the seeds: 1–6 edits of one seed. */
export function mutatedSeeds(seeds: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  if (seeds.length === 0) throw new RangeError('a target needs at least one seed');
  return fc
    .tuple(fc.nat({ max: seeds.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 6 }))
    .map(([i, plan]) => applyMutations(seeds[i]!, plan, seeds));
}

/** What every target runs: seeds as they are, their mutations, and the target's own generator. */
export function targetInputs(seeds: readonly Uint8Array[], generated: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...seeds) },
    { weight: 8, arbitrary: mutatedSeeds(seeds) },
    { weight: 6, arbitrary: generated },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
  );
}
