import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_TL_LEAD_MS,
  MAX_TL_SPEED,
  MAX_TL_STEPS,
  MIN_TL_SPEED,
  ProtocolError,
  TimelineFrameType,
  decodeFrame,
  decodeTimelineFrame,
  encodeFrameBlock,
  encodeTlControl,
  encodeTlCredit,
  encodeTlFrames,
  encodeTlFramesFromBlocks,
  encodeTlState,
  isTimelineFrameType,
  pack,
  unpack,
} from '@tidewire/protocol';
import type { TimelineFrame } from '@tidewire/protocol';
import { seededRandom, seeds } from '@tidewire/random';
import { cat, decodesAlike, hex, rejectsWith } from './helpers.ts';

const rejects = (bytes: Uint8Array, code = 'TW_BAD_FRAME') => rejectsWith(decodeTimelineFrame, bytes, code);
const roundTrip = (bytes: Uint8Array): TimelineFrame => decodesAlike(decodeTimelineFrame, bytes);

describe('§W timeline frame types', () => {
  it('owns 0x40–0x4F, which the core decoder leaves alone', () => {
    assert.ok(isTimelineFrameType(0x40) && isTimelineFrameType(0x4f));
    assert.ok(!isTimelineFrameType(0x3f) && !isTimelineFrameType(0x50));
    // decodeFrame keeps answering "unknown" for them: receivers route the range to decodeTimelineFrame.
    assert.throws(
      () => decodeFrame(encodeTlCredit(1, 1, 1)),
      (e: unknown) => e instanceof ProtocolError && e.code === 'TW_UNKNOWN_FRAME_TYPE',
    );
  });
  it('gives a non-fatal TW_UNKNOWN_FRAME_TYPE for reserved types of the range', () => {
    for (const t of [0x44, 0x4f, 0x10]) {
      assert.throws(
        () => decodeTimelineFrame(Uint8Array.of(t, 0)),
        (e: unknown) => e instanceof ProtocolError && e.code === 'TW_UNKNOWN_FRAME_TYPE' && !e.fatal,
      );
    }
  });
  it('rejects an empty frame', () => rejects(new Uint8Array(0)));
});

describe('§W.1 TL_CONTROL', () => {
  it('encodes the header byte by byte', () => {
    const f = encodeTlControl(300, { op: 'play' });
    //                                   type channel  msgpack {op: 'play'} follows
    assert.deepEqual(f.subarray(0, 3), hex('40   ac02'));
    assert.deepEqual(roundTrip(f), { type: TimelineFrameType.TL_CONTROL, channel: 300, op: 'play' });
  });
  it('round-trips every op with its fields', () => {
    const cases = [
      { op: 'play' as const, speed: 2, mode: 'server' as const, seq: 1 },
      { op: 'pause' as const, seq: 2 ** 32 - 1 },
      { op: 'seek' as const, frame: 12_345 },
      { op: 'seek' as const, timeMs: 61_234.5 },
      { op: 'speed' as const, speed: MIN_TL_SPEED },
      { op: 'speed' as const, speed: MAX_TL_SPEED },
      { op: 'step' as const, steps: -3 },
      { op: 'step' as const },
      { op: 'live' as const, mode: 'client' as const },
    ];
    for (const body of cases) assert.deepEqual(roundTrip(encodeTlControl(5, body)), { type: TimelineFrameType.TL_CONTROL, channel: 5, ...body });
  });
  it('ignores map fields it does not know (minor-version additions)', () => {
    assert.deepEqual(roundTrip(cat(hex('40 01'), pack({ op: 'pause', future: [1, 2] }))), { type: TimelineFrameType.TL_CONTROL, channel: 1, op: 'pause' });
  });
  it('rejects a speed outside [0.1, 16]', () => {
    for (const speed of [0, 0.05, -1, 16.01, 1000, Number.NaN]) rejects(cat(hex('40 01'), pack({ op: 'speed', speed })));
    rejects(cat(hex('40 01'), pack({ op: 'play', speed: 32 })));
    rejects(cat(hex('40 01'), pack({ op: 'speed', speed: '2' })));
  });
  it('rejects a seek without exactly one target, and targets that are not positions', () => {
    rejects(cat(hex('40 01'), pack({ op: 'seek' })));
    rejects(cat(hex('40 01'), pack({ op: 'seek', frame: 1, timeMs: 2 })));
    rejects(cat(hex('40 01'), pack({ op: 'seek', frame: -1 })));
    rejects(cat(hex('40 01'), pack({ op: 'seek', frame: 1.5 })));
    rejects(cat(hex('40 01'), pack({ op: 'seek', timeMs: -0.5 })));
    rejects(cat(hex('40 01'), pack({ op: 'seek', timeMs: Number.POSITIVE_INFINITY })));
    rejects(cat(hex('40 01'), pack({ op: 'play', frame: 3 })));
  });
  it('rejects a zero, fractional or oversized step, and steps on other ops', () => {
    for (const steps of [0, 0.5, MAX_TL_STEPS + 1, -MAX_TL_STEPS - 1, 'one']) rejects(cat(hex('40 01'), pack({ op: 'step', steps })));
    rejects(cat(hex('40 01'), pack({ op: 'pause', steps: 1 })));
  });
  it('rejects an unknown op or mode, a speed op without speed and a huge seq', () => {
    rejects(cat(hex('40 01'), pack({ op: 'rewind' })));
    rejects(cat(hex('40 01'), pack({ op: 'play', mode: 'peer' })));
    rejects(cat(hex('40 01'), pack({ op: 'speed' })));
    rejects(cat(hex('40 01'), pack({ op: 'play', seq: 2 ** 32 })));
  });
  it('rejects a body that is not a map, trailing bytes and a truncated channel', () => {
    rejects(cat(hex('40 01'), pack(['play'])));
    rejects(cat(encodeTlControl(1, { op: 'play' }), hex('00')));
    rejects(hex('40 80'));
    rejects(hex('40 01'));
  });
});

describe('§W.2 TL_CREDIT', () => {
  it('encodes byte by byte', () => {
    //                                             type channel frames bytes
    assert.deepEqual(encodeTlCredit(3, 128, 65_536), hex('41   03      8001   808004'));
    assert.deepEqual(roundTrip(hex('41 03 8001 808004')), { type: TimelineFrameType.TL_CREDIT, channel: 3, frames: 128, bytes: 65_536 });
  });
  it('rejects truncation, trailing bytes and overlong varuints', () => {
    rejects(hex('41 03 01'));
    rejects(hex('41 03 01 01 00'));
    rejects(hex('41 03 ffffffffffffffff01 01'));
  });
});

describe('§W.3 TL_FRAMES', () => {
  it('encodes byte by byte (frames are length-prefixed stored bytes)', () => {
    const frames = [hex('01 aa bb'), hex('00 cc')];
    const f = encodeTlFrames(2, 7, 130, frames);
    //                   type channel epoch firstFrame count len frame     len frame
    assert.deepEqual(f, hex('42   02      07    8201       02    03  01aabb    02  00cc'));
    const d = roundTrip(f);
    assert.deepEqual(d, { type: TimelineFrameType.TL_FRAMES, channel: 2, seekEpoch: 7, firstFrame: 130, frames });
  });
  it('builds the same message from pre-encoded blocks sliced at frame boundaries', () => {
    const frames = [hex('01 aa'), hex('00 bb'), hex('00 cc dd')];
    const block = encodeFrameBlock(frames);
    // Frames 1..2 of the block: skip frame 0's 3 bytes (len + 2).
    const sliced = encodeTlFramesFromBlocks(4, 1, 11, 2, [block.subarray(3)]);
    assert.deepEqual(sliced, encodeTlFrames(4, 1, 11, frames.slice(1)));
    const split = encodeTlFramesFromBlocks(4, 1, 10, 3, [block.subarray(0, 3), block.subarray(3)]);
    assert.deepEqual(split, encodeTlFrames(4, 1, 10, frames));
  });
  it('returns borrowed views into the message', () => {
    const msg = encodeTlFrames(1, 1, 0, [hex('01 02')]);
    const f = decodeTimelineFrame(msg) as { frames: Uint8Array[] };
    msg[msg.length - 1] = 0x99;
    assert.equal(f.frames[0]![1], 0x99);
  });
  it('refuses to encode an empty batch', () => assert.throws(() => encodeTlFrames(1, 1, 0, []), RangeError));
  it('rejects a count of zero or one the bytes cannot hold', () => {
    rejects(hex('42 01 01 00 00'));
    rejects(hex('42 01 01 00 05 01 aa'));
    rejects(hex('42 01 01 00 ffffffff0f 01 aa'));
  });
  it('rejects a frame length running past the end (into a neighbour) and zero-length frames', () => {
    const whole = hex('42 01 01 00 01 03 aa bb cc');
    rejects(whole.subarray(0, whole.length - 1));
    rejects(hex('42 01 01 00 02 00 01 aa'));
  });
  it('rejects trailing bytes after the last frame', () => rejects(hex('42 01 01 00 01 01 aa 00')));
  it('rejects frame numbers beyond 2^53-1', () => rejects(cat(hex('42 01 01 ffffffffffffff0f 02'), hex('01 aa 01 bb'))));
});

describe('§W.4 TL_STATE', () => {
  const state = { seekEpoch: 3, playing: true, speed: 0.5, frame: 100, frameCount: 4000, live: false, rateHz: 25 };
  it('round-trips with and without optional fields', () => {
    assert.deepEqual(roundTrip(encodeTlState(9, state)), { type: TimelineFrameType.TL_STATE, channel: 9, ...state });
    const full = { ...state, live: true, liveFrame: 3999, mode: 'client' as const, ack: 17 };
    assert.deepEqual(roundTrip(encodeTlState(9, full)), { type: TimelineFrameType.TL_STATE, channel: 9, ...full });
  });
  it('starts with the type and channel', () => assert.deepEqual(encodeTlState(200, state).subarray(0, 3), hex('43 c801')));
  it('rejects missing or mistyped fields', () => {
    for (const key of Object.keys(state)) {
      const broken: Record<string, unknown> = { ...state };
      delete broken[key];
      rejects(cat(hex('43 01'), pack(broken)));
    }
    rejects(cat(hex('43 01'), pack({ ...state, playing: 1 })));
    rejects(cat(hex('43 01'), pack({ ...state, rateHz: 0 })));
    rejects(cat(hex('43 01'), pack({ ...state, speed: 20 })));
    rejects(cat(hex('43 01'), pack({ ...state, liveFrame: -1 })));
  });
});

describe('§W decoder robustness', () => {
  it('throws only ProtocolError on random input (seeded)', () => {
    const seed = seeds(1)[0]!;
    const rand = seededRandom(seed);
    const valid = [
      encodeTlControl(1, { op: 'seek', frame: 5 }),
      encodeTlCredit(1, 10, 1000),
      encodeTlFrames(1, 2, 3, [hex('01 aa'), hex('00 bb')]),
      encodeTlState(1, state0()),
    ];
    for (let i = 0; i < 20_000; i++) {
      const base = valid[i % valid.length]!;
      const bytes = base.slice(0, 1 + Math.floor(rand() * base.length));
      for (let k = 0; k < 3; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      bytes[0] = 0x40 + (bytes[0]! & 0x03);
      try {
        decodeTimelineFrame(bytes);
      } catch (err) {
        assert.ok(err instanceof ProtocolError, `seed ${seed} (replay: TIDEWIRE_SEED=${seed}) iteration ${i}: ${String(err)}`);
      }
    }
  });
});

function state0() {
  return { seekEpoch: 1, playing: false, speed: 1, frame: 0, frameCount: 10, live: false, rateHz: 25 };
}

// Bounds exactly at their limits and optional fields left out: each test pins a behaviour that a
// mutation run (docs/mutation.md) showed no other test checks.
describe('§W.1 TL_CONTROL: bounds and optional fields', () => {
  it('puts only the fields that are set into the map', () => {
    const body = unpack(encodeTlControl(1, { op: 'pause' }).subarray(2)) as object;
    assert.deepEqual(Object.keys(body), ['op']);
    const full = { op: 'seek' as const, frame: 1, timeMs: 2, speed: 1, steps: 1, mode: 'server' as const, seq: 3 };
    assert.deepEqual(Object.keys(unpack(encodeTlControl(1, full).subarray(2)) as object).sort(), Object.keys(full).sort());
  });
  it('accepts a seek to time 0 and a step of exactly ±MAX_TL_STEPS', () => {
    assert.deepEqual(roundTrip(encodeTlControl(1, { op: 'seek', timeMs: 0 })), { type: TimelineFrameType.TL_CONTROL, channel: 1, op: 'seek', timeMs: 0 });
    for (const steps of [MAX_TL_STEPS, -MAX_TL_STEPS]) assert.equal((roundTrip(encodeTlControl(1, { op: 'step', steps })) as { steps: number }).steps, steps);
  });
  it('rejects a timeMs on ops other than seek', () => rejects(cat(hex('40 01'), pack({ op: 'play', timeMs: 3 }))));
});

describe('§W.1 TL_CONTROL leadMs (§W.5 lead)', () => {
  it('round-trips a lead on any op, 0 and MAX_TL_LEAD_MS included', () => {
    for (const body of [
      { op: 'play' as const, leadMs: 200 },
      { op: 'speed' as const, speed: 2, leadMs: 0 },
      { op: 'seek' as const, frame: 3, leadMs: MAX_TL_LEAD_MS },
    ]) {
      assert.deepEqual(roundTrip(encodeTlControl(7, body)), { type: TimelineFrameType.TL_CONTROL, channel: 7, ...body });
    }
    // Left out when not set: old servers and old clients see exactly the map they knew.
    assert.deepEqual(Object.keys(unpack(encodeTlControl(1, { op: 'play' }).subarray(2)) as object), ['op']);
  });
  it('refuses a lead that is negative, fractional, above MAX_TL_LEAD_MS or not a number with TW_BAD_FRAME', () => {
    for (const leadMs of [-1, 0.5, MAX_TL_LEAD_MS + 1, 1e9, Number.NaN, '200', null]) {
      assert.throws(
        () => decodeTimelineFrame(cat(hex('40 01'), pack({ op: 'play', leadMs }))),
        (e: unknown) => e instanceof ProtocolError && e.code === 'TW_BAD_FRAME' && e.fatal && /\bTL_CONTROL\.leadMs\b/.test(e.message),
        `leadMs ${String(leadMs)}`,
      );
    }
  });
});

describe('§W.3 TL_FRAMES: bounds', () => {
  it('accepts a count whose frames exactly fill the message (two bytes each)', () => {
    assert.deepEqual(roundTrip(hex('42 01 01 00 02 01 aa 01 bb')), {
      type: TimelineFrameType.TL_FRAMES,
      channel: 1,
      seekEpoch: 1,
      firstFrame: 0,
      frames: [hex('aa'), hex('bb')],
    });
  });
  it('rejects a zero-length frame even when the rest of the message is well formed', () => rejects(hex('42 01 01 00 02 00 02 aa bb')));
});

describe('§W.4 TL_STATE: optional fields', () => {
  it('puts liveFrame, mode and ack into the map only when they are set', () => {
    const state = { seekEpoch: 1, playing: false, speed: 1, frame: 0, frameCount: 10, live: false, rateHz: 25 };
    const keys = Object.keys(unpack(encodeTlState(1, state).subarray(2)) as object).sort();
    assert.deepEqual(keys, Object.keys(state).sort());
  });
});

// Bad input gets a clear error naming what was wrong (STYLE.md; docs/protocol.md §4.9): each vector
// checks the code and that the message names the frame and field (and the value or limit where
// one is at fault), never the sentence around them.
type Named = readonly [what: string, bytes: Uint8Array, names: readonly RegExp[]];

/** The table's vectors, each with the code it must fail with. */
function withCode(table: readonly Named[], code = 'TW_BAD_FRAME') {
  return table.map(([what, bytes, names]) => ({ what, bytes, names, code }));
}

const control = (body: unknown) => cat(hex('40 01'), pack(body));

describe('§W timeline frame types: errors name the type', () => {
  for (const v of withCode([['an empty frame', new Uint8Array(0), [/\bframe type\b/]]]))
    it(v.what, () => rejectsWith(decodeTimelineFrame, v.bytes, v.code, v.names));
  for (const v of withCode([['type 0x04 (two hex digits)', Uint8Array.of(0x04, 0), [/\b0x04\b/]]], 'TW_UNKNOWN_FRAME_TYPE'))
    it(v.what, () => rejectsWith(decodeTimelineFrame, v.bytes, v.code, v.names));
});

describe('§W.1 TL_CONTROL: errors name the field and the value', () => {
  for (const v of withCode([
    ['no channel', hex('40'), [/\bTL_CONTROL\.channel\b/]],
    ['no body', hex('40 01'), [/\bTL_CONTROL body\b/, /\bempty\b/]],
    ['a body that is not a map', control(['play']), [/\bTL_CONTROL body\b/, /\bmap\b/]],
    ['an unknown op', control({ op: 'rewind' }), [/\bTL_CONTROL\.op\b/, /\bplay\b.*\bpause\b.*\blive\b/]],
    ['a negative frame', control({ op: 'seek', frame: -1 }), [/\bTL_CONTROL\.frame\b/]],
    ['an infinite timeMs', control({ op: 'seek', timeMs: Number.POSITIVE_INFINITY }), [/\bTL_CONTROL\.timeMs\b/, /\bfinite\b/]],
    ['a negative timeMs', control({ op: 'seek', timeMs: -0.5 }), [/\bTL_CONTROL\.timeMs\b/, /-0\.5\b/, /\bnegative\b/]],
    ['a speed that is not a number', control({ op: 'speed', speed: '2' }), [/\bTL_CONTROL\.speed\b/, /\bfinite\b/]],
    ['a speed above 16', control({ op: 'play', speed: 32 }), [/\bTL_CONTROL\.speed\b/, /\b32\b/, /\b0\.1\b/, /\b16\b/]],
    ['a zero step', control({ op: 'step', steps: 0 }), [/\bTL_CONTROL\.steps\b/, new RegExp(`\\b${MAX_TL_STEPS}\\b`)]],
    ['an unknown mode', control({ op: 'play', mode: 'peer' }), [/\bTL_CONTROL\.mode\b/, /\bserver\b/]],
    ['a negative seq', control({ op: 'play', seq: -1 }), [/\bTL_CONTROL\.seq\b/]],
    ['a seq above 2^32-1', control({ op: 'play', seq: 2 ** 32 }), [/\bTL_CONTROL\.seq\b/, /\b4294967295\b/]],
    ['a seek with two targets', control({ op: 'seek', frame: 1, timeMs: 2 }), [/\bseek\b/, /\bframe\b/, /\btimeMs\b/]],
    ['a speed op without a speed', control({ op: 'speed' }), [/\bTL_CONTROL\b/, /\bspeed\b/]],
    ['a target on play', control({ op: 'play', frame: 3 }), [/\bTL_CONTROL play\b/, /\bframe\b/]],
    ['steps on pause', control({ op: 'pause', steps: 1 }), [/\bTL_CONTROL pause\b/, /\bsteps\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeTimelineFrame, v.bytes, v.code, v.names));
  it('accepts a speed down to the float tolerance below the minimum, not beyond it', () => {
    // 0.1 may travel as float32 (0.10000000149…, above) or be computed a hair below: 1e-9 of slack.
    assert.equal((roundTrip(encodeTlControl(1, { op: 'speed', speed: MIN_TL_SPEED - 1e-9 })) as { speed: number }).speed, MIN_TL_SPEED - 1e-9);
    rejects(control({ op: 'speed', speed: MIN_TL_SPEED - 2e-9 }));
  });
});

describe('§W.2 TL_CREDIT: errors name the field', () => {
  for (const v of withCode([
    ['no channel', hex('41'), [/\bTL_CREDIT\.channel\b/]],
    ['no frames', hex('41 01'), [/\bTL_CREDIT\.frames\b/]],
    ['no bytes', hex('41 01 01'), [/\bTL_CREDIT\.bytes\b/]],
    ['trailing bytes', hex('41 01 01 01 00'), [/\bTL_CREDIT\b/, /\b1 trailing bytes?\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeTimelineFrame, v.bytes, v.code, v.names));
});

describe('§W.3 TL_FRAMES: errors name the field and the value', () => {
  for (const v of withCode([
    ['no channel', hex('42'), [/\bTL_FRAMES\.channel\b/]],
    ['no seekEpoch', hex('42 01'), [/\bTL_FRAMES\.seekEpoch\b/]],
    ['no firstFrame', hex('42 01 01'), [/\bTL_FRAMES\.firstFrame\b/]],
    ['no count', hex('42 01 01 00'), [/\bTL_FRAMES\.count\b/]],
    ['a count the bytes cannot hold', hex('42 01 01 00 05 01 aa'), [/\bTL_FRAMES\.count 5\b/, /\b2 bytes\b/]],
    ['frame numbers beyond 2^53-1', cat(hex('42 01 01 ffffffffffffff0f 02'), hex('01 aa 01 bb')), [/\bTL_FRAMES\b/, /2\^53/]],
    ['a truncated frame length', hex('42 01 01 00 01 80 80'), [/\bTL_FRAMES frame length\b/]],
    // Without the length check the reader would step past the end and fail later, naming trailing bytes.
    ['a frame length past the end', hex('42 01 01 00 01 03 aa bb'), [/\bTL_FRAMES frame 0\b/, /\blength 3\b/, /\boffset 5\b/]],
    ['a zero-length frame', hex('42 01 01 00 02 00 02 aa bb'), [/\bTL_FRAMES frame 0\b/, /\blength 0\b/]],
    ['trailing bytes', hex('42 01 01 00 01 01 aa 00'), [/\bTL_FRAMES\b/, /\btrailing\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeTimelineFrame, v.bytes, v.code, v.names));
  it('an empty batch is a RangeError naming the count', () => {
    assert.throws(
      () => encodeTlFrames(1, 1, 0, []),
      (err: unknown) => {
        assert.ok(err instanceof RangeError);
        assert.match(err.message, /\bTL_FRAMES\b/);
        assert.match(err.message, /\bgot 0\b/);
        return true;
      },
    );
  });
});

describe('§W.4 TL_STATE: errors name the field and the value', () => {
  const state = { seekEpoch: 3, playing: true, speed: 0.5, frame: 100, frameCount: 4000, live: false, rateHz: 25 };
  const stateFrame = (body: unknown) => cat(hex('43 01'), pack(body));
  const without = (key: string) => stateFrame(Object.fromEntries(Object.entries(state).filter(([k]) => k !== key)));
  for (const v of withCode([
    ['no channel', hex('43'), [/\bTL_STATE\.channel\b/]],
    ['no body', hex('43 01'), [/\bTL_STATE body\b/, /\bempty\b/]],
    ['a body that is not a map', stateFrame([1]), [/\bTL_STATE body\b/, /\bmap\b/]],
    ...Object.keys(state).map((key): Named => [`a missing ${key}`, without(key), [new RegExp(`\\bTL_STATE\\.${key}\\b`)]]),
    ['a speed below 0.1', stateFrame({ ...state, speed: 0.01 }), [/\bTL_STATE\.speed\b/, /\b0\.01\b/]],
    ['a rateHz of 0', stateFrame({ ...state, rateHz: 0 }), [/\bTL_STATE\.rateHz 0\b/, /\bpositive\b/]],
    ['a negative liveFrame', stateFrame({ ...state, liveFrame: -1 }), [/\bTL_STATE\.liveFrame\b/]],
    ['an unknown mode', stateFrame({ ...state, mode: 'peer' }), [/\bTL_STATE\.mode\b/, /\bserver\b/]],
    ['a fractional ack', stateFrame({ ...state, ack: 1.5 }), [/\bTL_STATE\.ack\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeTimelineFrame, v.bytes, v.code, v.names));
});
