import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_LIMITS,
  ProtocolError,
  decodeFrame,
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
} from '@tidewire/protocol';
import { seededRandom, seeds } from '@tidewire/random';

const valid = [
  encodeHello({ protocol: [1, 0], client: 'fuzz', capabilities: ['tree'] }),
  encodeWelcome({ protocol: [1, 0], instance: 'i', capabilities: ['tree'], limits: { ...DEFAULT_LIMITS }, channels: [{ name: 'a', kind: 'tree' }] }),
  encodeError({ code: 'TW_BAD_FRAME', message: 'm', fatal: true, channel: 1 }),
  encodeSubscribe({ name: 'demo', from: { epoch: 123456, offset: 42 } }),
  encodeUnsubscribe(5),
  encodeUnsubscribed(5, 'closed'),
  encodeSubscribed({ name: 'demo', channel: 1, kind: 'tree', epoch: 1, offset: 2, resume: 'replay' }),
  encodeSnapshot(
    1,
    { epoch: 1, offset: 0 },
    2,
    0,
    encodeSnapshotBody({ id: 'r', type: 't', attrs: { a: 1 }, children: [{ id: 'c', type: 't', attrs: {}, children: [] }] }),
  ),
  encodeSnapshotBegin(1, { epoch: 1, offset: 0 }, 10, 1, 1000, 2),
  encodeSnapshotChunk(1, 0, new Uint8Array([1, 2, 3])),
  encodeOps(1, { epoch: 9, offset: 10 }, [
    [0, 'a', { v: 1.5 }],
    [2, 'b'],
  ]),
  encodeEvent(2, 'cursor', { track: 1, scene: 2 }),
];

describe('§6 errors: malformed input', () => {
  it('only ever throws ProtocolError on truncated, bit-flipped or spliced frames', () => {
    const seed = seeds(1)[0]!;
    const rand = seededRandom(seed);
    let rejected = 0;
    for (let i = 0; i < 20_000; i++) {
      const base = valid[Math.floor(rand() * valid.length)]!;
      let bytes = new Uint8Array(base);
      const mode = Math.floor(rand() * 3);
      if (mode === 0) bytes = bytes.subarray(0, Math.floor(rand() * bytes.length));
      else if (mode === 1) for (let k = 0; k < 1 + rand() * 3; k++) bytes[Math.floor(rand() * bytes.length)]! ^= 1 << Math.floor(rand() * 8);
      else bytes = Uint8Array.from([...bytes, ...Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256))]);
      try {
        decodeFrame(bytes);
      } catch (err) {
        if (!(err instanceof ProtocolError)) assert.fail(`seed ${seed} case ${i}: ${(err as Error).stack}`);
        rejected++;
      }
    }
    assert.ok(rejected > 5000, `seed ${seed}: only ${rejected} rejections — the mutations are not reaching the decoder`);
  });
});
