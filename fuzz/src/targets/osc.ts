// Target osc (docs/fuzzing.md §2.7): one UDP datagram on the Live Set mirror's OSC port →
// decodeOsc (apps/liveset, docs/liveset-osc.md §5): framing checks, then osc.js. Every message
// that decodes is encoded again with encodeOsc and must decode to the same message.
import * as fc from 'fast-check';
import { decodeOsc, encodeOsc, OscDecodeError, type OscArg } from '@tidewire/liveset';
import { hostileNumber, hostileString } from '../hostile.ts';
import type { FuzzTarget } from '../target.ts';
import { concat, plain, sameAfterRoundTrip } from './common.ts';

const int = (value: number): OscArg => ({ type: 'i', value });
const float = (value: number): OscArg => ({ type: 'f', value });
const str = (value: string): OscArg => ({ type: 's', value });

/** An OSC string: the bytes, a NUL, NUL padding to 4 (or `pad` bytes when given: maybe wrong). */
function oscString(s: string, pad?: number): Uint8Array {
  const bytes = new TextEncoder().encode(s);
  const padded = pad ?? 4 - (bytes.length % 4);
  return concat(bytes, new Uint8Array(padded));
}

function i32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v | 0);
  return b;
}

/** "#bundle\0" • timetag • (size • element)*, sizes as given or right. */
function bundle(elements: readonly Uint8Array[], sizes: readonly (number | undefined)[] = []): Uint8Array {
  return concat(oscString('#bundle'), new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1]), ...elements.flatMap((e, i) => [i32(sizes[i] ?? e.length), e]));
}

function seeds(): Uint8Array[] {
  const messages = [
    encodeOsc('/live/song/get/tempo', [float(121)]),
    encodeOsc('/live/track/get/name', [int(1), str('Bass line')]),
    encodeOsc('/live/track/get/mute', [int(2), { type: 'T', value: true }]),
    encodeOsc('/live/track/get/volume', [int(3), float(0.7)]),
    encodeOsc('/live/device/get/parameter/value', [int(0), int(0), int(3), { type: 'd', value: 12.5 }]),
    encodeOsc('/live/clip/get/name', [int(1), int(2), str('Hook')]),
    encodeOsc('/live/song/get/track_data', [
      { type: 'N', value: null },
      { type: 'b', value: Uint8Array.of(1, 2, 3, 4, 5) },
      { type: 'S', value: 'sym' },
    ]),
  ];
  return [...messages, bundle(messages.slice(0, 3)), bundle([bundle(messages.slice(3, 5)), messages[5]!])];
}

const TAGS = ['i', 'f', 'd', 'h', 't', 's', 'S', 'b', 'T', 'F', 'N', 'I', 'c', 'r', 'm', '[', ']', 'x', '\u0001'];

const argLike: fc.Arbitrary<OscArg> = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(int),
  hostileNumber.map(float),
  hostileNumber.map((value) => ({ type: 'd', value })),
  hostileString.map(str),
  hostileString.map((value) => ({ type: 'S', value })),
  fc.uint8Array({ maxLength: 40 }).map((value) => ({ type: 'b', value })),
  fc.constantFrom<OscArg>({ type: 'T', value: true }, { type: 'F', value: false }, { type: 'N', value: null }, { type: 'I', value: 1 }),
);

function safeEncode(address: string, args: OscArg[]): Uint8Array {
  try {
    return plain(encodeOsc(address, args));
  } catch {
    return oscString(address);
  }
}

const address = fc.oneof(
  fc.constantFrom('/live/song/get/tempo', '/live/track/get/name', '/a', '/'),
  hostileString.map((s) => `/${s}`),
  hostileString,
);

/** Messages built byte by byte: any tags, argument bytes that may not match them, odd padding. */
const rawMessage: fc.Arbitrary<Uint8Array> = fc
  .tuple(address, fc.array(fc.constantFrom(...TAGS), { maxLength: 8 }), fc.option(fc.nat({ max: 5 }), { nil: undefined }), fc.uint8Array({ maxLength: 48 }))
  .map(([addr, tags, pad, args]) => concat(oscString(addr), oscString(`,${tags.join('')}`, pad), args));

const message = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(address, fc.array(argLike, { maxLength: 6 })).map(([a, args]) => safeEncode(a, args)) },
  { weight: 2, arbitrary: rawMessage },
);

const packet: fc.Arbitrary<Uint8Array> = fc.letrec<{ packet: Uint8Array; bundle: Uint8Array }>((tie) => ({
  packet: fc.oneof({ depthSize: 'small', maxDepth: 4 }, message, tie('bundle')),
  bundle: fc
    .tuple(
      fc.array(tie('packet'), { maxLength: 5 }),
      fc.array(fc.option(fc.oneof(fc.constantFrom(-4, 0, 3, 4, 0x7fffffff), fc.integer()), { nil: undefined, freq: 4 }), { maxLength: 5 }),
    )
    .map(([elements, sizes]) => bundle(elements, sizes)),
})).packet;

/** More messages than the 64 a packet may hold. */
const crowded = fc.integer({ min: 60, max: 70 }).map((n) => bundle(Array.from({ length: n }, () => encodeOsc('/a', [int(1)]))));

export const osc: FuzzTarget = {
  name: 'osc',
  what: 'decodeOsc of apps/liveset on one UDP datagram (OSC message or bundle)',
  seeds,
  generate: () => fc.oneof({ weight: 12, arbitrary: packet }, { weight: 1, arbitrary: crowded }),
  decode(input) {
    const messages = decodeOsc(input);
    for (const m of messages) sameAfterRoundTrip(`message ${m.address}`, [m], decodeOsc(plain(encodeOsc(m.address, m.args))));
    return messages;
  },
  documented: (err) => OscDecodeError.is(err),
};
