import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_LIMITS,
  ErrorCodes,
  FrameType,
  ProtocolError,
  PROTOCOL_VERSION,
  SnapshotAssembler,
  decodeFrame,
  decodeSnapshotBody,
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
  encodeUnsubscribe,
  encodeUnsubscribed,
  encodeWelcome,
  errorFrameFor,
  errorFromFrame,
  pack,
  snapshotFrames,
  FrameReader,
  SnapshotEncoding,
  unpack,
  MAX_NESTING,
} from '@tidewire/protocol';
import type { Frame } from '@tidewire/protocol';
import { varuintSize, writeVaruint } from '@tidewire/base';
import { cat, decodesAlike, hex, rejectsWith, throwsNaming } from './helpers.ts';

const rejects = (bytes: Uint8Array, code: string) => rejectsWith(decodeFrame, bytes, code);
const roundTrip = (bytes: Uint8Array): Frame => decodesAlike(decodeFrame, bytes);

describe('§3 varuint', () => {
  it('encodes known-answer vectors (LEB128, least significant group first)', () => {
    const cases: [number, string][] = [
      [0, '00'],
      [1, '01'],
      [127, '7f'],
      [128, '8001'],
      [300, 'ac02'],
      [2 ** 32, '8080808010'],
      [Number.MAX_SAFE_INTEGER, 'ffffffffffffff0f'],
    ];
    for (const [value, expected] of cases) {
      const buf = new Uint8Array(varuintSize(value));
      assert.equal(writeVaruint(buf, 0, value), buf.length);
      assert.deepEqual(buf, hex(expected), `value ${value}`);
      assert.equal(new FrameReader(hex(expected)).varuint('v'), value);
    }
  });
  it('rejects a varuint longer than 8 bytes', () => {
    rejects(hex('11 ffffffffffffffff01'), 'TW_BAD_FRAME');
  });
  it('rejects a value above 2^53-1', () => {
    // 9 continuation groups would be needed in general; 8 bytes with high bits set give 2^56-1.
    rejects(hex('11 ffffffffffffff7f'), 'TW_BAD_FRAME');
  });
  it('rejects a varuint that runs past the end of the frame', () => {
    rejects(hex('11 80'), 'TW_BAD_FRAME');
  });
  it('reads only within the frame view, not the underlying buffer', () => {
    const big = hex('11 80 05');
    const view = big.subarray(0, 2); // the frame is [0x11, 0x80]; the 05 belongs to a neighbour
    rejects(view, 'TW_BAD_FRAME');
  });
  it('refuses to write negative or unsafe numbers', () => {
    assert.throws(() => writeVaruint(new Uint8Array(9), 0, -1), RangeError);
    assert.throws(() => writeVaruint(new Uint8Array(9), 0, 2 ** 53), RangeError);
  });
});

describe('§3 msgpack bodies', () => {
  it('rejects trailing bytes after the msgpack value', () => {
    rejects(cat(encodeSubscribe({ name: 'a' }), hex('00')), 'TW_BAD_FRAME');
  });
  it('rejects undecodable msgpack', () => {
    rejects(hex('10 c1c1'), 'TW_BAD_FRAME');
    rejects(hex('10 dd ffffffff'), 'TW_BAD_FRAME'); // array32 claiming 4G items in 5 bytes
  });
  it('rejects an empty body', () => {
    rejects(hex('10'), 'TW_BAD_FRAME');
  });
  it('carries record definitions inside each frame (no shared state between frames)', () => {
    const a = encodeSubscribed({ name: 'n', channel: 1, kind: 'tree', epoch: 5, offset: 0, resume: 'snapshot', reason: 'new' });
    const b = encodeSubscribed({ name: 'n', channel: 1, kind: 'tree', epoch: 5, offset: 0, resume: 'snapshot', reason: 'new' });
    assert.deepEqual(a, b);
    assert.equal((decodeFrame(b) as { name: string }).name, 'n');
  });
});

describe('§3.1 nesting', () => {
  // The bound is the codec's (every body goes through unpack), so these call it directly with
  // `levels` nested one-item arrays around a nil.
  const nested = (levels: number) => cat(new Uint8Array(levels).fill(0x91), hex('c0'));
  it('decodes a body nested exactly MAX_NESTING levels', () => {
    let v = unpack(nested(MAX_NESTING)) as unknown[];
    for (let i = 1; i < MAX_NESTING; i++) v = v[0] as unknown[];
    assert.deepEqual(v, [null]);
  });
  it('rejects one level more, naming the bound', () => {
    throwsNaming(() => unpack(nested(MAX_NESTING + 1), 'OPS body'), 'TW_BAD_FRAME', [/OPS body/, /deeper than 512 levels/]);
  });
  it('gives the same error whether or not the recursive decoder runs out of stack', () => {
    // 100,000 levels overflow msgpackr's recursion wherever it runs; 2,000 decode at the top
    // of a process but not deep in a call stack: both must end in the same error.
    for (const levels of [2000, 100_000]) throwsNaming(() => unpack(nested(levels), 'OPS body'), 'TW_BAD_FRAME', [/deeper than 512 levels/]);
    const deepInStack = (frames: number): void => (frames === 0 ? void unpack(nested(2000)) : deepInStack(frames - 1));
    throwsNaming(() => deepInStack(5000), 'TW_BAD_FRAME', [/deeper than 512 levels/]);
  });
  it('a truncated number is still "not valid msgpack", not a nesting error (both are RangeErrors inside msgpackr)', () => {
    throwsNaming(() => unpack(hex('cb 0000'), 'OPS body'), 'TW_BAD_FRAME', [/OPS body is not valid msgpack/, /outside the bounds/]);
  });
  it('a long body with shallow maps decodes (the depth walk looks into maps without rejecting them)', () => {
    const value = new Map<string, unknown>([
      ['text', 'x'.repeat(600)],
      ['list', [new Map([['k', 1]])]],
    ]);
    const bytes = pack(value);
    assert.ok(bytes.length > MAX_NESTING);
    assert.deepEqual(unpack(bytes), value);
  });
  it('counts maps, map keys and records (objects) as levels too', () => {
    const maps = cat(...Array.from({ length: MAX_NESTING + 1 }, () => hex('81 a1 6b')), hex('c0'));
    throwsNaming(() => unpack(maps), 'TW_BAD_FRAME', [/deeper than 512 levels/]);
    // {[[…[nil]…]]: 1}: the depth is in the key.
    const inKey = cat(hex('81'), nested(MAX_NESTING), hex('01'));
    throwsNaming(() => unpack(inKey), 'TW_BAD_FRAME', [/deeper than 512 levels/]);
    let record: unknown = 1;
    for (let i = 0; i < MAX_NESTING + 1; i++) record = { r: record };
    throwsNaming(() => unpack(pack(record)), 'TW_BAD_FRAME', [/deeper than 512 levels/]);
    let shallower: unknown = 1;
    for (let i = 0; i < MAX_NESTING; i++) shallower = { r: shallower };
    assert.deepEqual(unpack(pack(shallower)), shallower);
  });
});

describe('§4 frames', () => {
  it('gives a non-fatal TW_UNKNOWN_FRAME_TYPE for unknown types', () => {
    for (const t of [0x00, 0x04, 0x40, 0x70, 0xff]) {
      assert.throws(
        () => decodeFrame(Uint8Array.of(t, 0)),
        (e: unknown) => e instanceof ProtocolError && e.code === 'TW_UNKNOWN_FRAME_TYPE' && !e.fatal,
      );
    }
  });
  it('rejects an empty frame', () => rejects(new Uint8Array(0), 'TW_BAD_FRAME'));
});

describe('§4.1 HELLO', () => {
  it('round-trips', () => {
    const f = roundTrip(encodeHello({ protocol: [1, 0], client: 'test/1', capabilities: ['tree'] }));
    assert.deepEqual(f, { type: FrameType.HELLO, protocol: [1, 0], client: 'test/1', capabilities: ['tree'] });
  });
  it('rejects a malformed version', () => {
    rejects(cat(hex('01'), pack({ protocol: '1.0', client: 'x', capabilities: [] })), 'TW_BAD_FRAME');
    rejects(cat(hex('01'), pack({ protocol: [1], client: 'x', capabilities: [] })), 'TW_BAD_FRAME');
  });
  it('rejects wrong field types and oversized strings', () => {
    rejects(cat(hex('01'), pack({ protocol: [1, 0], client: 5, capabilities: [] })), 'TW_BAD_FRAME');
    rejects(cat(hex('01'), pack({ protocol: [1, 0], client: 'x'.repeat(200), capabilities: [] })), 'TW_BAD_FRAME');
    rejects(cat(hex('01'), pack({ protocol: [1, 0], client: 'x', capabilities: [1] })), 'TW_BAD_FRAME');
    rejects(cat(hex('01'), pack([1, 0])), 'TW_BAD_FRAME');
  });
  it('exports the current version', () => assert.deepEqual(PROTOCOL_VERSION, { major: 1, minor: 0 }));
});

describe('§4.2 WELCOME', () => {
  it('round-trips', () => {
    const body = {
      protocol: [1, 0] as [number, number],
      instance: 'abc',
      capabilities: ['tree', 'events'],
      limits: { ...DEFAULT_LIMITS },
      channels: [{ name: 'demo', kind: 'tree' as const }],
    };
    assert.deepEqual(roundTrip(encodeWelcome(body)), { type: FrameType.WELCOME, ...body });
  });
  it('rejects an unknown channel kind', () => {
    rejects(
      encodeWelcome({ protocol: [1, 0], instance: 'a', capabilities: [], limits: { ...DEFAULT_LIMITS }, channels: [{ name: 'x', kind: 'video' as never }] }),
      'TW_BAD_FRAME',
    );
  });
});

describe('§4.3 SUBSCRIBE', () => {
  it('round-trips with and without a position', () => {
    assert.deepEqual(roundTrip(encodeSubscribe({ name: 'liveset' })), { type: FrameType.SUBSCRIBE, name: 'liveset' });
    assert.deepEqual(roundTrip(encodeSubscribe({ name: 'liveset', from: { epoch: 4294967295, offset: 12 } })), {
      type: FrameType.SUBSCRIBE,
      name: 'liveset',
      from: { epoch: 4294967295, offset: 12 },
    });
  });
  it('rejects an empty or oversized name and a bad position', () => {
    rejects(encodeSubscribe({ name: '' }), 'TW_BAD_FRAME');
    rejects(encodeSubscribe({ name: 'é'.repeat(100) }), 'TW_BAD_FRAME'); // 200 UTF-8 bytes > 128
    rejects(cat(hex('10'), pack({ name: 'a', from: { epoch: -1, offset: 0 } })), 'TW_BAD_FRAME');
    rejects(cat(hex('10'), pack({ name: 'a', from: { epoch: 1.5, offset: 0 } })), 'TW_BAD_FRAME');
    rejects(cat(hex('10'), pack({ name: 'a', from: [1, 2] })), 'TW_BAD_FRAME');
  });
});

describe('§4.4 UNSUBSCRIBE / UNSUBSCRIBED', () => {
  it('encodes UNSUBSCRIBE byte by byte', () => {
    assert.deepEqual(encodeUnsubscribe(300), hex('11 ac02'));
    assert.deepEqual(roundTrip(hex('11 ac02')), { type: FrameType.UNSUBSCRIBE, channel: 300 });
  });
  it('rejects trailing bytes after UNSUBSCRIBE', () => rejects(hex('11 01 00'), 'TW_BAD_FRAME'));
  it('round-trips UNSUBSCRIBED', () => {
    assert.deepEqual(roundTrip(encodeUnsubscribed(7, 'channel closed')), { type: FrameType.UNSUBSCRIBED, channel: 7, reason: 'channel closed' });
  });
});

describe('§4.5 SUBSCRIBED', () => {
  it('round-trips every resume mode', () => {
    for (const resume of ['replay', 'snapshot', 'none'] as const) {
      const body = { name: 'x', channel: 2, kind: 'tree' as const, epoch: 9, offset: 3, resume, reason: 'gap' as const };
      assert.deepEqual(roundTrip(encodeSubscribed(body)), { type: FrameType.SUBSCRIBED, ...body });
    }
  });
  it('rejects an unknown resume mode or reason', () => {
    rejects(cat(hex('12'), pack({ name: 'x', channel: 1, kind: 'tree', epoch: 1, offset: 0, resume: 'maybe' })), 'TW_BAD_FRAME');
    rejects(cat(hex('12'), pack({ name: 'x', channel: 1, kind: 'tree', epoch: 1, offset: 0, resume: 'none', reason: 'why' })), 'TW_BAD_FRAME');
  });
});

describe('§4.6 SNAPSHOT', () => {
  const node = { id: 'root', type: 'project', attrs: { name: 'x' }, children: [] };
  it('encodes the header byte by byte', () => {
    const body = encodeSnapshotBody(node);
    const frame = encodeSnapshot(/* channel */ 1, { epoch: 128, offset: 2 }, /* nodeCount */ 1, SnapshotEncoding.MSGPACK, body);
    //                            type channel epoch offset nodeCount encoding
    assert.deepEqual(frame.subarray(0, 7), hex('20   01      8001  02     01        00'));
    const f = roundTrip(frame) as { body: Uint8Array };
    assert.deepEqual({ ...f, body: undefined }, { type: FrameType.SNAPSHOT, channel: 1, epoch: 128, offset: 2, nodeCount: 1, encoding: 0, body: undefined });
    assert.deepEqual(decodeSnapshotBody(f.body), node);
  });
  it('rejects an unknown body encoding and an empty body', () => {
    rejects(cat(hex('20 01 01 00 01 02'), encodeSnapshotBody(node)), 'TW_BAD_FRAME');
    rejects(hex('20 01 01 00 01 00'), 'TW_BAD_FRAME');
  });
  it('bundles strings in snapshot bodies and any msgpack decoder reads them', () => {
    const big = { ...node, children: Array.from({ length: 50 }, (_, i) => ({ id: `n${i}`, type: 'param', attrs: { name: `Gain ${i}` }, children: [] })) };
    assert.deepEqual(decodeSnapshotBody(encodeSnapshotBody(big)), big);
    assert.deepEqual(unpack(encodeSnapshotBody(big)), big);
  });
  it('sends a small snapshot as one frame and a large one as BEGIN + chunks of exactly chunkBytes', () => {
    const small = encodeSnapshotBody(node);
    assert.equal(snapshotFrames(1, { epoch: 1, offset: 0 }, 1, SnapshotEncoding.MSGPACK, small, 1024).length, 1);
    const big = encodeSnapshotBody({ ...node, attrs: { blob: 'y'.repeat(10_000) } });
    const frames = snapshotFrames(3, { epoch: 1, offset: 5 }, 1, SnapshotEncoding.DEFLATE_RAW, big, 4096);
    const begin = decodeFrame(frames[0]!);
    assert.deepEqual(begin, {
      type: FrameType.SNAPSHOT_BEGIN,
      channel: 3,
      epoch: 1,
      offset: 5,
      nodeCount: 1,
      encoding: 1,
      totalBytes: big.length,
      chunkCount: 3,
    });
    const chunks = frames.slice(1).map((f) => decodeFrame(f));
    assert.deepEqual(
      chunks.map((c) => (c as { bytes: Uint8Array }).bytes.length),
      [4096, 4096, big.length - 8192],
    );
  });
  it('reassembles chunks into the original body with progress', () => {
    const body = encodeSnapshotBody({ ...node, attrs: { blob: 'z'.repeat(5000) } });
    const frames = snapshotFrames(3, { epoch: 1, offset: 5 }, 1, SnapshotEncoding.MSGPACK, body, 1000);
    const asm = new SnapshotAssembler(decodeFrame(frames[0]!) as never);
    let out: Uint8Array | undefined;
    for (const f of frames.slice(1)) {
      assert.equal(out, undefined);
      out = asm.push(decodeFrame(f) as never);
    }
    assert.equal(asm.receivedBytes, body.length);
    assert.deepEqual(decodeSnapshotBody(out!), { ...node, attrs: { blob: 'z'.repeat(5000) } });
  });
  it('copies chunk bytes (frames are borrowed and may be reused)', () => {
    const body = encodeSnapshotBody({ ...node, attrs: { blob: 'q'.repeat(3000) } });
    const frames = snapshotFrames(1, { epoch: 1, offset: 0 }, 1, SnapshotEncoding.MSGPACK, body, 1000);
    const asm = new SnapshotAssembler(decodeFrame(frames[0]!) as never);
    let out: Uint8Array | undefined;
    for (const f of frames.slice(1)) {
      const reused = new Uint8Array(f); // the transport's buffer…
      out = asm.push(decodeFrame(reused) as never);
      reused.fill(0); // …overwritten after the push
    }
    assert.deepEqual(Array.from(out!), Array.from(body));
  });
  it('rejects out-of-order chunks, overruns and oversized announcements', () => {
    const begin = { type: FrameType.SNAPSHOT_BEGIN, channel: 1, epoch: 1, offset: 0, nodeCount: 1, encoding: 0, totalBytes: 10, chunkCount: 2 } as const;
    assert.throws(() => new SnapshotAssembler(begin).push({ type: FrameType.SNAPSHOT_CHUNK, channel: 1, index: 1, bytes: new Uint8Array(5) }), {
      code: 'TW_BAD_FRAME',
    });
    assert.throws(() => new SnapshotAssembler(begin).push({ type: FrameType.SNAPSHOT_CHUNK, channel: 1, index: 0, bytes: new Uint8Array(11) }), {
      code: 'TW_BAD_FRAME',
    });
    assert.throws(() => new SnapshotAssembler(begin).push({ type: FrameType.SNAPSHOT_CHUNK, channel: 2, index: 0, bytes: new Uint8Array(5) }), {
      code: 'TW_BAD_FRAME',
    });
    const a = new SnapshotAssembler(begin);
    a.push({ type: FrameType.SNAPSHOT_CHUNK, channel: 1, index: 0, bytes: new Uint8Array(3) });
    assert.throws(() => a.push({ type: FrameType.SNAPSHOT_CHUNK, channel: 1, index: 1, bytes: new Uint8Array(3) }), { code: 'TW_BAD_FRAME' }); // last chunk but bytes missing
    assert.throws(() => new SnapshotAssembler({ ...begin, totalBytes: 2 ** 40 }), { code: 'TW_BAD_FRAME' });
  });
  it('rejects inconsistent BEGIN totals, trailing bytes and empty chunks', () => {
    rejects(encodeSnapshotBegin(1, { epoch: 1, offset: 0 }, 1, 0, 0, 1), 'TW_BAD_FRAME');
    rejects(encodeSnapshotBegin(1, { epoch: 1, offset: 0 }, 1, 0, 10, 11), 'TW_BAD_FRAME');
    rejects(cat(encodeSnapshotBegin(1, { epoch: 1, offset: 0 }, 1, 0, 10, 1), hex('00')), 'TW_BAD_FRAME');
    rejects(encodeSnapshotBegin(1, { epoch: 1, offset: 0 }, 1, 7 as never, 10, 1), 'TW_BAD_FRAME'); // reason: an encoding no peer defines
    rejects(encodeSnapshotChunk(1, 0, new Uint8Array(0)), 'TW_BAD_FRAME');
    rejects(hex('21 01 01 00 01'), 'TW_BAD_FRAME'); // truncated header
  });
});

describe('§4.7 OPS', () => {
  it('encodes the header byte by byte and round-trips the ops', () => {
    const ops = [
      [0, 'a', { name: 'Kick' }],
      [2, 'b'],
      [3, 'c', 'root', 0],
      [1, 'root', 0, { id: 'd', type: 't', attrs: {}, children: [] }],
    ];
    const frame = encodeOps(/* channel */ 2, { epoch: 7, offset: 1 }, ops);
    assert.deepEqual(frame.subarray(0, 4), hex('23 02 07 01'));
    assert.deepEqual(roundTrip(frame), { type: FrameType.OPS, channel: 2, epoch: 7, offset: 1, ops });
  });
  it('rejects a body that is not an array', () => {
    rejects(cat(hex('23 01 01 01'), pack({ ops: [] })), 'TW_BAD_FRAME');
  });
  it('rejects a truncated header', () => rejects(hex('23 01 01'), 'TW_BAD_FRAME'));
});

describe('§4.8 EVENT', () => {
  it('round-trips any value', () => {
    for (const value of [1, 'x', { track: 3, scene: 2 }, [1.5, true], new Uint8Array([1, 2])]) {
      const f = roundTrip(encodeEvent(5, 'cursor', value)) as { key: string; value: unknown };
      assert.equal(f.key, 'cursor');
      // Binary decodes as a Buffer in Node (a Uint8Array subclass): compare contents.
      const got = f.value instanceof Uint8Array ? new Uint8Array(f.value) : f.value;
      assert.deepEqual(got, value);
    }
  });
  it('rejects a body that is not [key, value] or an oversized key', () => {
    rejects(cat(hex('30 01'), pack({ k: 'x' })), 'TW_BAD_FRAME');
    rejects(cat(hex('30 01'), pack([1, 2])), 'TW_BAD_FRAME');
    rejects(cat(hex('30 01'), pack(['k'])), 'TW_BAD_FRAME');
    rejects(encodeEvent(1, 'k'.repeat(300), 1), 'TW_BAD_FRAME');
  });
});

describe('§4.9 ERROR', () => {
  it('round-trips with channel context', () => {
    const f = roundTrip(encodeError({ code: 'TW_UNKNOWN_CHANNEL', message: 'no channel "x"', fatal: false, name: 'x' }));
    assert.deepEqual(f, { type: FrameType.ERROR, code: 'TW_UNKNOWN_CHANNEL', message: 'no channel "x"', fatal: false, name: 'x' });
  });
  it('builds the frame for a ProtocolError', () => {
    const err = new ProtocolError('TW_NOT_SUBSCRIBED', 'not subscribed to channel 4', { channel: 4 });
    assert.deepEqual(decodeFrame(errorFrameFor(err)), {
      type: FrameType.ERROR,
      code: 'TW_NOT_SUBSCRIBED',
      message: 'not subscribed to channel 4',
      fatal: false,
      channel: 4,
    });
  });
});

describe('§6 errors', () => {
  it('gives every fatal code a close code', () => {
    for (const [code, info] of Object.entries(ErrorCodes)) {
      if (info.fatal) assert.equal(typeof info.closeCode, 'number', code);
      assert.ok(info.description.length > 0, code);
    }
  });
  it('documents every code in docs/protocol.md', async () => {
    const { readFile } = await import('node:fs/promises');
    const spec = await readFile(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
    for (const code of Object.keys(ErrorCodes)) assert.ok(spec.includes(`\`${code}\``), `${code} missing from the spec`);
  });
  it('maps a version mismatch to close code 4001', () => {
    assert.equal(new ProtocolError('TW_PROTOCOL_VERSION', 'x').closeCode, 4001);
  });
});

// Limits exactly at their bounds, optional fields left out, and the helpers around the decoder:
// each test pins a behaviour that a mutation run (docs/mutation.md) showed no other test checks.
const helloBody = (body: Record<string, unknown>) => cat(hex('01'), pack({ protocol: [1, 0], client: 'x', capabilities: [], ...body }));

describe('§3 msgpack bodies: encoder settings', () => {
  it('uses no msgpackr extension types (moreTypes: false): a Set travels as a plain array', () => {
    assert.deepEqual(unpack(pack({ s: new Set([1, 2]) })), { s: [1, 2] });
  });
  it('rejects undecodable msgpack with TW_BAD_FRAME from unpack itself, and an empty payload', () => {
    assert.throws(() => unpack(hex('dd ffffffff')), { code: 'TW_BAD_FRAME' }); // array32 claiming 4G items in 5 bytes
    assert.throws(() => unpack(new Uint8Array(0)), { code: 'TW_BAD_FRAME' });
  });
});

describe('§4.1 HELLO: bounds and optional fields', () => {
  it('accepts a client of exactly 128 bytes (ASCII and two-byte UTF-8) and rejects 129', () => {
    assert.equal((decodeFrame(helloBody({ client: 'x'.repeat(128) })) as { client: string }).client.length, 128);
    assert.equal((decodeFrame(helloBody({ client: 'é'.repeat(64) })) as { client: string }).client.length, 64);
    assert.equal((decodeFrame(helloBody({ client: 'x'.repeat(43) })) as { client: string }).client.length, 43);
    rejects(helloBody({ client: 'x'.repeat(129) }), 'TW_BAD_FRAME');
    rejects(helloBody({ client: 'é'.repeat(65) }), 'TW_BAD_FRAME');
  });
  it('reads a missing client as empty and missing capabilities as none', () => {
    assert.deepEqual(decodeFrame(cat(hex('01'), pack({ protocol: [1, 0] }))), { type: FrameType.HELLO, protocol: [1, 0], client: '', capabilities: [] });
  });
  it('accepts 64 capabilities of up to 128 characters and rejects 65, or one of 129', () => {
    const caps = Array.from({ length: 64 }, (_, i) => `${i}`.padEnd(128, 'c'));
    assert.equal((decodeFrame(helloBody({ capabilities: caps })) as { capabilities: string[] }).capabilities.length, 64);
    rejects(helloBody({ capabilities: [...caps, 'one-more'] }), 'TW_BAD_FRAME');
    rejects(helloBody({ capabilities: ['c'.repeat(129)] }), 'TW_BAD_FRAME');
  });
  it('takes version numbers from 0 to 65535, integers only, both of them checked', () => {
    assert.deepEqual((decodeFrame(helloBody({ protocol: [65535, 0] })) as { protocol: number[] }).protocol, [65535, 0]);
    for (const protocol of [
      [65536, 0],
      [-1, 0],
      [1, -1],
      [1.5, 0],
      [1, 'x'],
      ['1', 0],
    ])
      rejects(helloBody({ protocol }), 'TW_BAD_FRAME');
  });
});

describe('§4.2 WELCOME: bounds', () => {
  const welcome = (body: Record<string, unknown>) =>
    cat(hex('02'), pack({ protocol: [1, 0], instance: 'i', capabilities: [], limits: { ...DEFAULT_LIMITS }, channels: [], ...body }));
  it('rejects an empty instance and an empty channel name', () => {
    rejects(welcome({ instance: '' }), 'TW_BAD_FRAME');
    rejects(welcome({ channels: [{ name: '', kind: 'tree' }] }), 'TW_BAD_FRAME');
  });
  it('lists at most 4096 channels', () => {
    const channels = Array.from({ length: 4096 }, (_, i) => ({ name: `c${i}`, kind: 'events' }));
    assert.equal((decodeFrame(welcome({ channels })) as { channels: unknown[] }).channels.length, 4096);
    rejects(welcome({ channels: [...channels, { name: 'more', kind: 'tree' }] }), 'TW_BAD_FRAME');
  });
});

describe('§2 transport: default limits', () => {
  it('announces maxFrameBytes 1 MiB by default', () => assert.equal(DEFAULT_LIMITS.maxFrameBytes, 1024 * 1024));
});

describe('§4.3 SUBSCRIBE: a null position', () => {
  it('reads from: null as no position', () => {
    assert.deepEqual(decodeFrame(cat(hex('10'), pack({ name: 'a', from: null }))), { type: FrameType.SUBSCRIBE, name: 'a' });
  });
});

describe('§4.5 SUBSCRIBED: optional reason and bounds', () => {
  const body = { name: 'x', channel: 2, kind: 'tree' as const, epoch: 9, offset: 3, resume: 'replay' as const };
  it('leaves reason out of the map when there is none, and decodes without it', () => {
    const frame = encodeSubscribed(body);
    assert.ok(!('reason' in (unpack(frame.subarray(1)) as object)));
    assert.deepEqual(decodeFrame(frame), { type: FrameType.SUBSCRIBED, ...body });
  });
  it('rejects an empty name', () => rejects(cat(hex('12'), pack({ ...body, name: '' })), 'TW_BAD_FRAME'));
});

describe('§4.6 SNAPSHOT: bounds', () => {
  it('rejects BEGIN with no bytes or no chunks, and takes one byte per chunk', () => {
    rejects(encodeSnapshotBegin(1, { epoch: 1, offset: 0 }, 1, 0, 0, 0), 'TW_BAD_FRAME');
    rejects(encodeSnapshotBegin(1, { epoch: 1, offset: 0 }, 1, 0, 10, 0), 'TW_BAD_FRAME');
    assert.equal((decodeFrame(encodeSnapshotBegin(1, { epoch: 1, offset: 0 }, 1, 0, 10, 10)) as { chunkCount: number }).chunkCount, 10);
  });
  it('sends a body of exactly chunkBytes as one SNAPSHOT frame, and refuses a chunk size that is not positive', () => {
    const body = new Uint8Array(1000).fill(7);
    const frames = snapshotFrames(1, { epoch: 1, offset: 0 }, 1, SnapshotEncoding.MSGPACK, body, 1000);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]![0], FrameType.SNAPSHOT);
    for (const chunkBytes of [0, -1, Number.NaN]) {
      assert.throws(() => snapshotFrames(1, { epoch: 1, offset: 0 }, 1, SnapshotEncoding.MSGPACK, body, chunkBytes), RangeError);
    }
  });
  it('accepts an announcement of exactly the assembler cap and keeps the position it announces', () => {
    const begin = { type: FrameType.SNAPSHOT_BEGIN, channel: 1, epoch: 4, offset: 9, nodeCount: 1, encoding: 0, totalBytes: 100, chunkCount: 1 } as const;
    const asm = new SnapshotAssembler(begin, 100);
    assert.deepEqual(asm.position, { epoch: 4, offset: 9 });
    assert.throws(() => new SnapshotAssembler(begin, 99), { code: 'TW_BAD_FRAME' });
  });
});

describe('§4.8 EVENT: key bound', () => {
  it('accepts a key of exactly 256 characters', () => {
    assert.equal((decodeFrame(encodeEvent(1, 'k'.repeat(256), 1)) as { key: string }).key.length, 256);
  });
});

describe('§4.9 ERROR: message cap and optional fields', () => {
  it('cuts a long message to 1024 characters, so that it fits the 4096-byte cap in any UTF-8', () => {
    const f = decodeFrame(encodeError({ code: 'TW_BAD_FRAME', message: '€'.repeat(5000), fatal: true })) as { message: string };
    assert.equal(f.message, '€'.repeat(1024));
  });
  it('leaves channel and name out of the map when they are not set', () => {
    const body = unpack(encodeError({ code: 'TW_BAD_FRAME', message: 'm', fatal: true }).subarray(1)) as object;
    assert.deepEqual(Object.keys(body).sort(), ['code', 'fatal', 'message']);
    const fromErr = unpack(errorFrameFor(new ProtocolError('TW_BAD_FRAME', 'm')).subarray(1)) as object;
    assert.deepEqual(Object.keys(fromErr).sort(), ['code', 'fatal', 'message']);
  });
  it('carries the channel name of a ProtocolError', () => {
    const err = new ProtocolError('TW_UNKNOWN_CHANNEL', 'no channel', { channelName: 'demo' });
    assert.equal(err.channelName, 'demo');
    assert.equal((decodeFrame(errorFrameFor(err)) as { name?: string }).name, 'demo');
  });
  it('rejects an empty code', () => rejects(cat(hex('03'), pack({ code: '', message: 'm', fatal: true })), 'TW_BAD_FRAME'));
  it('turns a received ERROR back into a ProtocolError; an unknown code becomes TW_BAD_FRAME', () => {
    const known = errorFromFrame({ type: FrameType.ERROR, code: 'TW_NOT_SUBSCRIBED', message: 'm', fatal: false, channel: 4, name: 'demo' });
    assert.ok(known instanceof ProtocolError);
    assert.deepEqual([known.code, known.channel, known.channelName, known.fatal], ['TW_NOT_SUBSCRIBED', 4, 'demo', false]);
    assert.equal(errorFromFrame({ type: FrameType.ERROR, code: 'SOMETHING_ELSE', message: 'm', fatal: true }).code, 'TW_BAD_FRAME');
  });
});

describe('§6 errors: the class', () => {
  it('is named ProtocolError', () => assert.equal(new ProtocolError('TW_BAD_FRAME', 'm').name, 'ProtocolError'));
});

// Bad input gets a clear error naming what was wrong (STYLE.md; docs/protocol.md §4.9): each vector
// checks the code and that the message names the frame and field (and the value or limit where
// one is at fault), never the sentence around them. The patterns spell out whole labels
// (`HELLO.client`), so a label lost on its way down to the field readers fails them, and `\b`
// between listed values fails on a list joined without its separators.
type Named = readonly [what: string, bytes: Uint8Array, names: readonly RegExp[]];

/** The table's vectors, each with the code it must fail with. */
function withCode(table: readonly Named[], code = 'TW_BAD_FRAME') {
  return table.map(([what, bytes, names]) => ({ what, bytes, names, code }));
}

const mapFrame = (type: string, body: unknown) => cat(hex(type), pack(body));

describe('§3 varuint: errors name the field and the offset', () => {
  for (const v of withCode([
    ['a truncated varuint', hex('11 80'), [/\bUNSUBSCRIBE\.channel\b/, /\bend\b/, /\boffset 1\b/]],
    ['a varuint longer than 8 bytes', hex('11 ffffffffffffffff01'), [/\bUNSUBSCRIBE\.channel\b/, /\b8 bytes\b/, /\boffset 1\b/]],
    ['a value above 2^53-1', hex('11 ffffffffffffff7f'), [/\bUNSUBSCRIBE\.channel\b/, /2\^53/]],
  ]))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
});

describe('§3 msgpack bodies: errors name the body', () => {
  for (const v of withCode([
    ['an empty body', hex('10'), [/\bSUBSCRIBE body\b/, /\bempty\b/]],
    ['undecodable msgpack', hex('10 c1c1'), [/\bSUBSCRIBE body\b/, /\bmsgpack\b/]],
    ['trailing bytes after the msgpack value', cat(encodeSubscribe({ name: 'a' }), hex('00')), [/\bSUBSCRIBE body\b/, /\bmsgpack\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
  it('names an empty payload for unpack without a label', () => {
    throwsNaming(() => unpack(new Uint8Array(0)), 'TW_BAD_FRAME', [/^payload\b/, /\bempty\b/]);
  });
  it("quotes at most 120 characters of msgpackr's reason, however long the value it quotes", () => {
    // msgpackr's trailing-bytes error quotes the decoded value as JSON: 10 kB of attacker text here.
    const bytes = cat(pack({ blob: 'x'.repeat(10_000) }), hex('00'));
    throwsNaming(() => unpack(bytes), 'TW_BAD_FRAME', [/\bmsgpack\b/]);
    assert.throws(
      () => unpack(bytes),
      (err: unknown) => err instanceof ProtocolError && err.message.length <= 'payload is not valid msgpack: '.length + 120,
    );
  });
});

describe('§4 frames: errors name the frame type', () => {
  for (const v of withCode([['an empty frame', new Uint8Array(0), [/\bframe type\b/]]])) it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
  for (const v of withCode(
    [
      ['type 0x04 (two hex digits)', Uint8Array.of(0x04, 0), [/\b0x04\b/]],
      ['type 0xff', Uint8Array.of(0xff, 0), [/\b0xff\b/]],
    ],
    'TW_UNKNOWN_FRAME_TYPE',
  ))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
});

describe('§4.1 HELLO: errors name the field', () => {
  for (const v of withCode([
    ['a body that is not a map', mapFrame('01', [1, 0]), [/\bHELLO body\b/, /\bmap\b/]],
    ['an empty body', hex('01'), [/\bHELLO body\b/, /\bempty\b/]],
    ['a malformed version', helloBody({ protocol: '1.0' }), [/\bHELLO\.protocol\b/, /\bmajor\b/]],
    ['a client that is not a string', helloBody({ client: 5 }), [/\bHELLO\.client\b/, /\bstring\b/]],
    ['a client above 128 bytes', helloBody({ client: 'x'.repeat(129) }), [/\bHELLO\.client\b/, /\b128 bytes\b/]],
    ['capabilities that are not an array', helloBody({ capabilities: 'tree' }), [/\bHELLO\.capabilities\b/, /\barray\b/]],
    ['more than 64 capabilities', helloBody({ capabilities: Array.from({ length: 65 }, (_, i) => `c${i}`) }), [/\bHELLO\.capabilities\b/, /\b64\b/]],
    ['a capability that is not a string', helloBody({ capabilities: ['tree', 1] }), [/\bHELLO\.capabilities\[1\]/, /\b128 bytes\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
});

describe('§4.2 WELCOME: errors name the field', () => {
  const welcome = (body: Record<string, unknown>) =>
    mapFrame('02', { protocol: [1, 0], instance: 'i', capabilities: [], limits: { ...DEFAULT_LIMITS }, channels: [], ...body });
  const { maxFrameBytes: _m, ...noMaxFrameBytes } = DEFAULT_LIMITS;
  const { maxSubscriptions: _s, ...noMaxSubscriptions } = DEFAULT_LIMITS;
  const { chunkBytes: _c, ...noChunkBytes } = DEFAULT_LIMITS;
  for (const v of withCode([
    ['a body that is not a map', mapFrame('02', 'welcome'), [/\bWELCOME body\b/, /\bmap\b/]],
    ['a malformed version', welcome({ protocol: [1] }), [/\bWELCOME\.protocol\b/]],
    ['an empty instance', welcome({ instance: '' }), [/\bWELCOME\.instance\b/, /\bempty\b/]],
    ['capabilities that are not an array', welcome({ capabilities: null }), [/\bWELCOME\.capabilities\b/, /\barray\b/]],
    ['limits that are not a map', welcome({ limits: [1, 2, 3] }), [/\bWELCOME\.limits body\b/, /\bmap\b/]],
    ['a missing maxFrameBytes', welcome({ limits: noMaxFrameBytes }), [/\bWELCOME\.limits\.maxFrameBytes\b/, /\bnon-negative integer\b/]],
    ['a missing maxSubscriptions', welcome({ limits: noMaxSubscriptions }), [/\bWELCOME\.limits\.maxSubscriptions\b/]],
    ['a missing chunkBytes', welcome({ limits: noChunkBytes }), [/\bWELCOME\.limits\.chunkBytes\b/]],
    ['channels that are not an array', welcome({ channels: {} }), [/\bWELCOME\.channels\b/, /\b4096\b/]],
    ['a channel that is not a map', welcome({ channels: ['demo'] }), [/\bWELCOME\.channels\[\] body\b/, /\bmap\b/]],
    ['a channel without a name', welcome({ channels: [{ kind: 'tree' }] }), [/\bWELCOME\.channels\[\]\.name\b/, /\bstring\b/]],
    // The allowed values are listed one by one: `\b` between them fails when they run together.
    ['an unknown channel kind', welcome({ channels: [{ name: 'x', kind: 'video' }] }), [/\bWELCOME\.channels\[\]\.kind\b/, /\btree\b.*\bevents\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
});

describe('§4.3 SUBSCRIBE: errors name the field', () => {
  for (const v of withCode([
    ['a body that is not a map', mapFrame('10', ['a']), [/\bSUBSCRIBE body\b/, /\bmap\b/]],
    ['an empty name', encodeSubscribe({ name: '' }), [/\bSUBSCRIBE\.name\b/, /\bempty\b/]],
    ['a position that is not a map', mapFrame('10', { name: 'a', from: [1, 2] }), [/\bSUBSCRIBE\.from body\b/, /\bmap\b/]],
    ['a negative epoch', mapFrame('10', { name: 'a', from: { epoch: -1, offset: 0 } }), [/\bSUBSCRIBE\.from\.epoch\b/, /\bnon-negative integer\b/]],
    ['a fractional offset', mapFrame('10', { name: 'a', from: { epoch: 1, offset: 0.5 } }), [/\bSUBSCRIBE\.from\.offset\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
});

describe('§4.4 UNSUBSCRIBE / UNSUBSCRIBED: errors name the field', () => {
  for (const v of withCode([
    ['UNSUBSCRIBE without a channel', hex('11'), [/\bUNSUBSCRIBE\.channel\b/]],
    ['trailing bytes after UNSUBSCRIBE', hex('11 01 00 00'), [/\bUNSUBSCRIBE\b/, /\b2 trailing bytes\b/, /\boffset 2\b/]],
    ['UNSUBSCRIBED without a channel', hex('13'), [/\bUNSUBSCRIBED\.channel\b/]],
    ['UNSUBSCRIBED without a body', hex('13 07'), [/\bUNSUBSCRIBED body\b/, /\bempty\b/]],
    ['UNSUBSCRIBED without a reason', mapFrame('13 07', {}), [/\bUNSUBSCRIBED\.reason\b/, /\bstring\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
});

describe('§4.5 SUBSCRIBED: errors name the field', () => {
  const good = { name: 'x', channel: 1, kind: 'tree', epoch: 1, offset: 0, resume: 'none' };
  for (const v of withCode([
    ['a body that is not a map', mapFrame('12', 7), [/\bSUBSCRIBED body\b/, /\bmap\b/]],
    ['an empty name', mapFrame('12', { ...good, name: '' }), [/\bSUBSCRIBED\.name\b/]],
    ['a negative channel', mapFrame('12', { ...good, channel: -1 }), [/\bSUBSCRIBED\.channel\b/]],
    ['an unknown kind', mapFrame('12', { ...good, kind: 'video' }), [/\bSUBSCRIBED\.kind\b/, /\btree\b/]],
    ['a missing epoch', mapFrame('12', { ...good, epoch: undefined }), [/\bSUBSCRIBED\.epoch\b/]],
    ['a string offset', mapFrame('12', { ...good, offset: '0' }), [/\bSUBSCRIBED\.offset\b/]],
    ['an unknown resume mode', mapFrame('12', { ...good, resume: 'maybe' }), [/\bSUBSCRIBED\.resume\b/, /\breplay\b.*\bsnapshot\b.*\bnone\b/]],
    ['an unknown reason', mapFrame('12', { ...good, reason: 'why' }), [/\bSUBSCRIBED\.reason\b/, /\bnew\b.*\bepoch\b.*\bgap\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
});

describe('§4.6 SNAPSHOT: errors name the field and the value', () => {
  for (const v of withCode([
    ['SNAPSHOT without a channel', hex('20'), [/\bSNAPSHOT\.channel\b/]],
    ['SNAPSHOT without an epoch', hex('20 01'), [/\bSNAPSHOT\.epoch\b/]],
    ['SNAPSHOT without an offset', hex('20 01 01'), [/\bSNAPSHOT\.offset\b/]],
    ['SNAPSHOT without a nodeCount', hex('20 01 01 00'), [/\bSNAPSHOT\.nodeCount\b/]],
    ['SNAPSHOT without an encoding', hex('20 01 01 00 01'), [/\bSNAPSHOT\.encoding\b/, /\boffset 5\b/]],
    ['SNAPSHOT with an unknown encoding', hex('20 01 01 00 01 07 aa'), [/\bSNAPSHOT\.encoding\b/, /\b7\b/]],
    ['SNAPSHOT without a body', hex('20 01 01 00 01 00'), [/\bSNAPSHOT\b/, /\bbody\b/]],
    ['SNAPSHOT_BEGIN without a channel', hex('21'), [/\bSNAPSHOT_BEGIN\.channel\b/]],
    ['SNAPSHOT_BEGIN without an epoch', hex('21 01'), [/\bSNAPSHOT_BEGIN\.epoch\b/]],
    ['SNAPSHOT_BEGIN without an offset', hex('21 01 01'), [/\bSNAPSHOT_BEGIN\.offset\b/]],
    ['SNAPSHOT_BEGIN without a nodeCount', hex('21 01 01 00'), [/\bSNAPSHOT_BEGIN\.nodeCount\b/]],
    ['SNAPSHOT_BEGIN with an unknown encoding', hex('21 01 01 00 01 07 0a 01'), [/\bSNAPSHOT_BEGIN\.encoding\b/, /\b7\b/]],
    ['SNAPSHOT_BEGIN without totalBytes', hex('21 01 01 00 01 00'), [/\bSNAPSHOT_BEGIN\.totalBytes\b/]],
    ['SNAPSHOT_BEGIN without chunkCount', hex('21 01 01 00 01 00 0a'), [/\bSNAPSHOT_BEGIN\.chunkCount\b/]],
    ['trailing bytes after SNAPSHOT_BEGIN', hex('21 01 01 00 01 00 0a 01 00'), [/\bSNAPSHOT_BEGIN\b/, /\btrailing\b/]],
    ['more chunks than bytes', encodeSnapshotBegin(1, { epoch: 1, offset: 0 }, 1, 0, 10, 11), [/\bSNAPSHOT_BEGIN\b/, /\btotalBytes 10\b/, /\bchunkCount 11\b/]],
    ['SNAPSHOT_CHUNK without a channel', hex('22'), [/\bSNAPSHOT_CHUNK\.channel\b/]],
    ['SNAPSHOT_CHUNK without an index', hex('22 01'), [/\bSNAPSHOT_CHUNK\.index\b/]],
    ['SNAPSHOT_CHUNK without bytes', hex('22 01 00'), [/\bSNAPSHOT_CHUNK\b/, /\bbytes\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
  const begin = { type: FrameType.SNAPSHOT_BEGIN, channel: 1, epoch: 1, offset: 0, nodeCount: 1, encoding: 0, totalBytes: 10, chunkCount: 2 } as const;
  const chunk = (channel: number, index: number, n: number) => ({ type: FrameType.SNAPSHOT_CHUNK, channel, index, bytes: new Uint8Array(n) }) as const;
  it('the assembler names the announced size and its limit', () => {
    throwsNaming(() => new SnapshotAssembler({ ...begin, totalBytes: 100 }, 99), 'TW_BAD_FRAME', [/\bSNAPSHOT_BEGIN\b/, /\b100 bytes\b/, /\b99-byte limit\b/]);
  });
  it('the assembler names a chunk of another channel, a chunk out of order, an overrun and a shortfall', () => {
    throwsNaming(() => new SnapshotAssembler(begin).push(chunk(2, 0, 5)), 'TW_BAD_FRAME', [/\bSNAPSHOT_CHUNK\b/, /\bchannel 2\b/, /\bchannel 1's\b/]);
    throwsNaming(() => new SnapshotAssembler(begin).push(chunk(1, 1, 5)), 'TW_BAD_FRAME', [/\bSNAPSHOT_CHUNK\b/, /\bindex 1\b/, /\bexpected 0\b/]);
    throwsNaming(() => new SnapshotAssembler(begin).push(chunk(1, 0, 11)), 'TW_BAD_FRAME', [/\bSNAPSHOT_CHUNK 0\b/, /\b10 bytes\b/]);
    const a = new SnapshotAssembler(begin);
    a.push(chunk(1, 0, 3));
    throwsNaming(() => a.push(chunk(1, 1, 3)), 'TW_BAD_FRAME', [/\b6 of 10 bytes\b/, /\b2 of 2 chunks\b/]);
  });
  it('a body that is not msgpack names the snapshot body', () => {
    throwsNaming(() => decodeSnapshotBody(new Uint8Array(0)), 'TW_BAD_FRAME', [/\bsnapshot body\b/, /\bempty\b/]);
  });
  it('a chunk size that is not positive is a RangeError naming it and its value', () => {
    assert.throws(
      () => snapshotFrames(1, { epoch: 1, offset: 0 }, 1, SnapshotEncoding.MSGPACK, new Uint8Array(10), -3),
      (err: unknown) => {
        assert.ok(err instanceof RangeError);
        assert.match(err.message, /\bchunkBytes\b/);
        assert.match(err.message, /-3\b/);
        return true;
      },
    );
  });
});

describe('§4.7 OPS: errors name the field', () => {
  for (const v of withCode([
    ['OPS without a channel', hex('23'), [/\bOPS\.channel\b/]],
    ['OPS without an epoch', hex('23 01'), [/\bOPS\.epoch\b/]],
    ['OPS without an offset', hex('23 01 01'), [/\bOPS\.offset\b/]],
    ['OPS without a body', hex('23 01 01 01'), [/\bOPS body\b/, /\bempty\b/]],
    ['an OPS body that is not an array', mapFrame('23 01 01 01', { ops: [] }), [/\bOPS body\b/, /\barray\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
});

describe('§4.8 EVENT: errors name the field and the limit', () => {
  for (const v of withCode([
    ['EVENT without a channel', hex('30'), [/\bEVENT\.channel\b/]],
    ['EVENT without a body', hex('30 01'), [/\bEVENT body\b/, /\bempty\b/]],
    ['an EVENT body that is not [key, value]', mapFrame('30 01', { k: 'x' }), [/\bEVENT body\b/, /\bkey\b/]],
    ['an EVENT key above 256 characters', encodeEvent(1, 'k'.repeat(257), 1), [/\bEVENT key\b/, /\b256\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
});

describe('§4.9 ERROR: errors name the field', () => {
  const good = { code: 'TW_BAD_FRAME', message: 'm', fatal: true };
  for (const v of withCode([
    ['a body that is not a map', mapFrame('03', 'oops'), [/\bERROR body\b/, /\bmap\b/]],
    ['an empty code', mapFrame('03', { ...good, code: '' }), [/\bERROR\.code\b/, /\bempty\b/]],
    ['a message that is not a string', mapFrame('03', { ...good, message: 1 }), [/\bERROR\.message\b/, /\bstring\b/]],
    ['a fatal that is not a boolean', mapFrame('03', { ...good, fatal: 1 }), [/\bERROR\.fatal\b/, /\bboolean\b/]],
    ['a negative channel', mapFrame('03', { ...good, channel: -1 }), [/\bERROR\.channel\b/]],
    ['a name that is not a string', mapFrame('03', { ...good, name: 5 }), [/\bERROR\.name\b/]],
  ]))
    it(v.what, () => rejectsWith(decodeFrame, v.bytes, v.code, v.names));
});
