// Target protocol-frame (docs/fuzzing.md §2.1): one WebSocket message → decodeFrame (types of
// docs/protocol.md §4) or decodeTimelineFrame (0x40–0x4F). What decodes is re-encoded with the
// frame's own encoder and must decode to the same frame.
import * as fc from 'fast-check';
import {
  DEFAULT_LIMITS,
  FrameType,
  MAX_MESSAGE_BYTES,
  ProtocolError,
  TimelineFrameType,
  decodeFrame,
  decodeTimelineFrame,
  encodeError,
  encodeEvent,
  encodeHello,
  encodeOps,
  encodeSnapshot,
  encodeSnapshotBegin,
  encodeSnapshotBody,
  encodeSnapshotChunk,
  encodeSubscribe,
  encodeSubscribed,
  encodeTlControl,
  encodeTlCredit,
  encodeTlFrames,
  encodeTlState,
  encodeUnsubscribe,
  encodeUnsubscribed,
  encodeWelcome,
  isTimelineFrameType,
  snapshotFrames,
  type Frame,
  type TimelineFrame,
} from '@tidewire/protocol';
import { Prng } from '@tidewire/random';
import { Tree } from '@tidewire/tree';
import { IdPool, applyTracked, counterIds, randomOp, randomSnapshot } from '@tidewire/tree/testing';
import { writeVaruint } from '@tidewire/base';
import { hostileCount, hostileNumber, hostileString, hostileValue } from '../hostile.ts';
import type { FuzzTarget } from '../target.ts';
import { concat, plain, safePack, sameAfterRoundTrip } from './common.ts';
import { raceFrameBytes } from './race.ts';

/** A few ops that are valid on a random tree, as the server would send them. */
export function realOps(seed: number, count: number): unknown[] {
  const rng = new Prng(seed);
  const tree = new Tree(randomSnapshot(rng, 12, counterIds('s')));
  const pool = new IdPool('o');
  const ops: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const op = randomOp(rng, tree, pool);
    applyTracked(tree, op, pool);
    ops.push(op);
  }
  return ops;
}

function seeds(): Uint8Array[] {
  const rng = new Prng(7);
  const body = encodeSnapshotBody(randomSnapshot(rng, 20, counterIds()));
  const pos = { epoch: 3, offset: 41 };
  return [
    encodeHello({ protocol: [1, 0], client: 'tidewire-web', capabilities: ['columns', 'deflate-raw'] }),
    encodeWelcome({
      protocol: [1, 0],
      instance: 'i-1',
      capabilities: ['columns'],
      limits: { ...DEFAULT_LIMITS },
      channels: [
        { name: 'mixer', kind: 'tree' },
        { name: 'race', kind: 'timeline' },
        { name: 'log', kind: 'events' },
      ],
    }),
    encodeError({ code: 'TW_UNKNOWN_CHANNEL', message: 'no channel named x', fatal: false, channel: 4, name: 'x' }),
    encodeSubscribe({ name: 'mixer' }),
    encodeSubscribe({ name: 'mixer', from: pos }),
    encodeUnsubscribe(5),
    encodeUnsubscribed(5, 'server shutting down'),
    encodeSubscribed({ name: 'mixer', channel: 5, kind: 'tree', epoch: 3, offset: 41, resume: 'snapshot', reason: 'gap' }),
    encodeSnapshot(5, pos, 20, 0, body),
    ...snapshotFrames(5, pos, 20, 0, body, 96),
    encodeOps(5, pos, realOps(11, 6)),
    encodeEvent(6, 'cursor', { x: 1.5, y: [1, 2, 3], tag: 'a' }),
    encodeTlControl(7, { op: 'seek', frame: 120, seq: 9 }),
    encodeTlControl(7, { op: 'speed', speed: 2, mode: 'client' }),
    encodeTlControl(7, { op: 'step', steps: -3 }),
    encodeTlCredit(7, 250, 65536),
    encodeTlFrames(7, 2, 100, raceFrameBytes(4, 4)),
    encodeTlState(7, { seekEpoch: 2, playing: true, speed: 1, frame: 104, frameCount: 5000, live: false, rateHz: 25, mode: 'server', ack: 9 }),
  ];
}

const MAP_FRAMES = [FrameType.HELLO, FrameType.WELCOME, FrameType.ERROR, FrameType.SUBSCRIBE, FrameType.SUBSCRIBED] as const;
const CHANNEL_MAP_FRAMES = [FrameType.UNSUBSCRIBED, FrameType.EVENT, FrameType.OPS, TimelineFrameType.TL_CONTROL, TimelineFrameType.TL_STATE] as const;
const ALL_TYPES = [...Object.values(FrameType), ...Object.values(TimelineFrameType)];
const FIELD_NAMES = [
  'protocol',
  'client',
  'capabilities',
  'instance',
  'limits',
  'channels',
  'code',
  'message',
  'fatal',
  'channel',
  'name',
  'from',
  'kind',
  'epoch',
  'offset',
  'resume',
  'reason',
  'op',
  'frame',
  'timeMs',
  'speed',
  'steps',
  'mode',
  'seq',
  'seekEpoch',
  'playing',
  'frameCount',
  'live',
  'liveFrame',
  'rateHz',
  'ack',
];
const PLAUSIBLE = fc.constantFrom<unknown>(
  [1, 0],
  [2, 0],
  'tree',
  'timeline',
  'events',
  'seek',
  'speed',
  'step',
  'play',
  'snapshot',
  'replay',
  'gap',
  'client',
  true,
  false,
  { epoch: 1, offset: 2 },
  { maxFrameBytes: 1, maxSubscriptions: 1, chunkBytes: 1 },
  [{ name: 'a', kind: 'tree' }],
  ['cap'],
);
const fieldValue = fc.oneof(PLAUSIBLE, hostileValue, hostileNumber, hostileString);
const fieldMap = fc.dictionary(fc.constantFrom(...FIELD_NAMES), fieldValue, { maxKeys: 10 });

function varuints(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  let at = 0;
  for (const v of values) at = writeVaruint(out, at, Number.isSafeInteger(v) && v >= 0 ? v : Math.abs(Math.trunc(v)) % 2 ** 53);
  return out.subarray(0, at);
}

function generate(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    // type • msgpack(map of frame fields)
    fc.tuple(fc.constantFrom(...MAP_FRAMES), fieldMap).map(([type, m]) => concat([type], safePack(m))),
    // type • varuint(channel) • msgpack(body)
    fc
      .tuple(
        fc.constantFrom(...CHANNEL_MAP_FRAMES),
        hostileCount,
        fc.oneof(fieldMap, fc.tuple(hostileString, hostileValue), fc.array(hostileValue, { maxLength: 4 })),
      )
      .map(([type, channel, body]) => concat([type], varuints([channel]), safePack(body))),
    // type • varuint header fields • tail (SNAPSHOT*, UNSUBSCRIBE, TL_CREDIT, TL_FRAMES, unknown types)
    fc
      .tuple(
        fc.oneof(fc.constantFrom(...ALL_TYPES), fc.integer({ min: 0, max: 255 })),
        fc.array(hostileCount, { maxLength: 8 }),
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          hostileValue.map(safePack),
          fc.array(fc.uint8Array({ minLength: 1, maxLength: 20 }), { maxLength: 5 }).map(frameBlock),
        ),
      )
      .map(([type, header, tail]) => concat([type], varuints(header), tail)),
  );
}

/** varuint(len) • bytes, repeated: the body of TL_FRAMES. */
function frameBlock(frames: readonly Uint8Array[]): Uint8Array {
  return concat(...frames.map((f) => concat(varuints([f.length]), f)));
}

function decodeAny(bytes: Uint8Array): Frame | TimelineFrame {
  return bytes.length > 0 && isTimelineFrameType(bytes[0]!) ? decodeTimelineFrame(bytes) : decodeFrame(bytes);
}

/** The frame's own encoder, and what decoding its output must give back. */
function reencode(f: Frame | TimelineFrame): { bytes: Uint8Array; expected: unknown } {
  const same = (bytes: Uint8Array) => ({ bytes, expected: f });
  switch (f.type) {
    case FrameType.HELLO:
      return same(encodeHello(f));
    case FrameType.WELCOME:
      return same(encodeWelcome(f));
    case FrameType.ERROR:
      // encodeError cuts the message to MAX_MESSAGE_BYTES / 4 characters (documented in frames.ts).
      return { bytes: encodeError(f), expected: { ...f, message: f.message.slice(0, MAX_MESSAGE_BYTES / 4) } };
    case FrameType.SUBSCRIBE:
      return same(encodeSubscribe(f));
    case FrameType.UNSUBSCRIBE:
      return same(encodeUnsubscribe(f.channel));
    case FrameType.SUBSCRIBED:
      return same(encodeSubscribed(f));
    case FrameType.UNSUBSCRIBED:
      return same(encodeUnsubscribed(f.channel, f.reason));
    case FrameType.SNAPSHOT:
      return same(encodeSnapshot(f.channel, f, f.nodeCount, f.encoding, f.body));
    case FrameType.SNAPSHOT_BEGIN:
      return same(encodeSnapshotBegin(f.channel, f, f.nodeCount, f.encoding, f.totalBytes, f.chunkCount));
    case FrameType.SNAPSHOT_CHUNK:
      return same(encodeSnapshotChunk(f.channel, f.index, f.bytes));
    case FrameType.OPS:
      return same(encodeOps(f.channel, f, f.ops));
    case FrameType.EVENT:
      return same(encodeEvent(f.channel, f.key, f.value));
    case TimelineFrameType.TL_CONTROL:
      return same(encodeTlControl(f.channel, f));
    case TimelineFrameType.TL_CREDIT:
      return same(encodeTlCredit(f.channel, f.frames, f.bytes));
    case TimelineFrameType.TL_FRAMES:
      return same(encodeTlFrames(f.channel, f.seekEpoch, f.firstFrame, f.frames));
    case TimelineFrameType.TL_STATE:
      return same(encodeTlState(f.channel, f));
  }
}

export const protocolFrame: FuzzTarget = {
  name: 'protocol-frame',
  what: 'decodeFrame / decodeTimelineFrame of @tidewire/protocol on one WebSocket message',
  seeds,
  generate,
  decode(input) {
    const frame = decodeAny(input);
    const { bytes, expected } = reencode(frame);
    sameAfterRoundTrip(`frame 0x${frame.type.toString(16)}`, expected, decodeAny(plain(bytes)));
    return frame;
  },
  documented: (err) => ProtocolError.is(err),
};
