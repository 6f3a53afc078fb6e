// Segment payloads (docs/timeline-format.md §5.5): parseSegmentPayload at each of its bounds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteWriter } from '@tidewire/base';
import { LIMITS, parseSegmentPayload } from '../src/index.ts';
import { hex, throwsNaming } from './helpers.ts';

/** A payload with these header fields and frames (each `varuint(length) • frame`). */
function payload(frameCount: number, frames: readonly Uint8Array[], startMs = 0): Uint8Array {
  const w = new ByteWriter();
  w.u32(3).u64(7).u32(frameCount).f64(startMs);
  for (const f of frames) w.varuint(f.length).bytes(f);
  return w.copy();
}
const key = hex('01');
const delta = hex('02');

describe('§5.5 segment payloads: bounds', () => {
  it('§5.5 rateHz is in (0, 1000]', () => {
    const p = payload(1, [key]);
    assert.equal(parseSegmentPayload(p, 1000).frameCount, 1);
    assert.deepEqual([...parseSegmentPayload(payload(2, [key, delta], 10), 0.5).times], [10, 2010]);
    for (const rateHz of [0, -1, 1000.5, NaN])
      throwsNaming(() => parseSegmentPayload(p, rateHz), 'TL_BAD_ARGUMENT', [new RegExp(`\\brateHz ${rateHz} is not in \\(0, 1000\\]`)]);
  });

  it('§5.5 frame_count is 1..65535, and each frame takes at least 2 bytes', () => {
    const max = payload(65535, [key, ...new Array<Uint8Array>(65534).fill(delta)]);
    const seg = parseSegmentPayload(max, 25);
    assert.deepEqual([seg.index, seg.firstFrame, seg.frameCount, seg.frames.length], [3, 7, 65535, 65535]);
    throwsNaming(() => parseSegmentPayload(payload(0, []), 25), 'TL_BAD_SEGMENT', [/\bpayload\.frame_count 0 not in 1\.\.65535\b/], 12);
    throwsNaming(() => parseSegmentPayload(payload(65536, []), 25), 'TL_BAD_SEGMENT', [/\bpayload\.frame_count 65536 not in 1\.\.65535\b/], 12);
    // 3 frames of 2 bytes fill 6 bytes exactly; 4 frames cannot fit in 7.
    assert.equal(parseSegmentPayload(payload(3, [key, delta, delta]), 25).frameCount, 3);
    const four = payload(4, [key, delta, delta, hex('')]);
    assert.equal(four.length, 24 + 7);
    throwsNaming(() => parseSegmentPayload(four, 25), 'TL_BAD_SEGMENT', [/\bpayload\.frame_count 4: that many frames cannot fit in 7 bytes\b/], 12);
  });

  it('§5.5 start_ms is finite', () => {
    for (const ms of [NaN, Infinity, -Infinity]) {
      throwsNaming(() => parseSegmentPayload(payload(1, [key], ms), 25), 'TL_BAD_SEGMENT', [new RegExp(`\\bpayload\\.start_ms ${ms} is not finite\\b`)], 16);
    }
  });

  it('§5.5 a frame length is 1..16 MiB and within the payload', () => {
    throwsNaming(() => parseSegmentPayload(payload(1, [hex(''), hex('01')]), 25), 'TL_BAD_SEGMENT', [/\bpayload frame 0: length 0 not in 1\.\.2\b/], 24);
    const short = payload(1, [hex('01 00')]);
    short[24] = 3; // length 3, 2 bytes left
    throwsNaming(() => parseSegmentPayload(short, 25), 'TL_BAD_SEGMENT', [/\bpayload frame 0: length 3 not in 1\.\.2\b/], 24);
    const big = new Uint8Array(LIMITS.maxFrameBytes + 1);
    big[0] = 1;
    assert.equal(parseSegmentPayload(payload(1, [big.subarray(0, LIMITS.maxFrameBytes)]), 25).frames[0].length, LIMITS.maxFrameBytes);
    throwsNaming(() => parseSegmentPayload(payload(1, [big]), 25), 'TL_BAD_SEGMENT', [/\bpayload frame 0: length 16777217 not in 1\.\.16777216\b/], 24);
  });

  it('§5.5 a payload above 64 MiB is TL_BAD_LENGTH before anything is read; 64 MiB is read', () => {
    throwsNaming(() => parseSegmentPayload(new Uint8Array(LIMITS.maxSegmentBytes + 1), 25), 'TL_BAD_LENGTH', [
      /\bsegment payload of 67108865 bytes exceeds 67108864\b/,
    ]);
    throwsNaming(() => parseSegmentPayload(new Uint8Array(LIMITS.maxSegmentBytes), 25), 'TL_BAD_SEGMENT', [/\bpayload\.frame_count 0\b/], 12);
  });

  it('§5.5 the first frame is a keyframe, the others deltas, and nothing follows the last', () => {
    throwsNaming(
      () => parseSegmentPayload(payload(2, [delta, delta]), 25),
      'TL_BAD_SEGMENT',
      [/\bpayload frame 0 has kind 0x2; a segment is one keyframe then deltas\b/],
      25,
    );
    throwsNaming(() => parseSegmentPayload(payload(2, [key, key]), 25), 'TL_BAD_SEGMENT', [/\bpayload frame 1 has kind 0x1\b/], 27);
    const trailing = payload(1, [key, hex('')]); // a varuint 0 after the last frame: 1 byte
    throwsNaming(() => parseSegmentPayload(trailing, 25), 'TL_BAD_SEGMENT', [/\b1 bytes after the last frame\b/], 26);
  });

  it('§5.5 a payload cut inside its header or a frame length names the field', () => {
    const p = payload(1, [key]);
    const cuts: [number, RegExp][] = [
      [2, /\bpayload\.index needs 4 bytes, 2 left\b/],
      [6, /\bpayload\.first_frame needs 8 bytes, 2 left\b/],
      [14, /\bpayload\.frame_count needs 4 bytes, 2 left\b/],
      [20, /\bpayload\.start_ms needs 8 bytes, 4 left\b/],
    ];
    for (const [n, name] of cuts) throwsNaming(() => parseSegmentPayload(p.subarray(0, n), 25), 'TL_BAD_SEGMENT', [name]);
    const runs = payload(1, [hex('')]);
    const cut = new Uint8Array(26);
    cut.set(runs.subarray(0, 24));
    cut.set(hex('80 80'), 24); // a frame length that runs past the end
    throwsNaming(() => parseSegmentPayload(cut, 25), 'TL_BAD_SEGMENT', [/\bpayload frame 0 length \(varuint\) runs past the end\b/], 24);
  });
});
