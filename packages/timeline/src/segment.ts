// Segment payloads (docs/timeline-format.md §5.5): what a SEGMENT record's data decompresses
// to and what GET /api/timelines/:name/segments/:n serves (gzip-encoded). Self-describing, so
// a browser can check it got the segment it asked for.

import { ByteWriter } from '@tidewire/base';
import { timelineReader } from './bytes.ts';
import { TimelineError } from './errors.ts';
import { FrameKind } from './frame-format.ts';
import { LIMITS } from './limits.ts';

export interface Segment {
  index: number;
  firstFrame: number;
  frameCount: number;
  /** Time of the first frame; frame k is at startMs + k × 1000 / rateHz. */
  startMs: number;
  /** Encoded frames, [0] the keyframe; views of the payload (borrowed from it). */
  frames: Uint8Array[];
  /** Time of each frame, ms. */
  times: Float64Array;
}

// Stryker disable next-line ArithmeticOperator: only sizes the writer below, which grows to fit
export const PAYLOAD_HEADER = /* index */ 4 + /* firstFrame */ 8 + /* frameCount */ 4 + /* startMs */ 8;

export function encodeSegmentPayload(index: number, firstFrame: number, startMs: number, frames: readonly Uint8Array[]): Uint8Array {
  let size = PAYLOAD_HEADER;
  // Stryker disable next-line ArithmeticOperator,AssignmentOperator: the size only preallocates; ByteWriter grows to fit
  for (const f of frames) size += 8 + f.length;
  const w = new ByteWriter(size);
  w.u32(index).u64(firstFrame).u32(frames.length).f64(startMs);
  for (const f of frames) w.varuint(f.length).bytes(f);
  return w.copy();
}

/**
 * Splits a decompressed segment payload into its frames (views of `payload`) and checks its
 * structure: every length within the payload, the first frame a keyframe, no trailing bytes.
 * Throws TL_BAD_SEGMENT with the offset in the payload. Frames themselves are checked when decoded.
 */
export function parseSegmentPayload(payload: Uint8Array, rateHz: number): Segment {
  if (!(rateHz > 0 && rateHz <= LIMITS.maxRateHz)) throw new TimelineError('TL_BAD_ARGUMENT', `rateHz ${rateHz} is not in (0, ${LIMITS.maxRateHz}]`);
  if (payload.length > LIMITS.maxSegmentBytes)
    throw new TimelineError('TL_BAD_LENGTH', `segment payload of ${payload.length} bytes exceeds ${LIMITS.maxSegmentBytes}`);
  const r = timelineReader(payload, 0, 'TL_BAD_SEGMENT');
  const index = r.u32('payload.index');
  const firstFrame = r.u64('payload.first_frame');
  const countAt = r.at;
  const frameCount = r.u32('payload.frame_count');
  const startAt = r.at;
  const startMs = r.f64('payload.start_ms');
  if (frameCount < 1 || frameCount > LIMITS.maxSegmentFrames)
    throw new TimelineError('TL_BAD_SEGMENT', `payload.frame_count ${frameCount} not in 1..${LIMITS.maxSegmentFrames}`, { offset: countAt });
  if (!Number.isFinite(startMs)) throw new TimelineError('TL_BAD_SEGMENT', `payload.start_ms ${startMs} is not finite`, { offset: startAt });
  // Each frame takes at least 2 bytes (length + kind): a count the payload cannot hold is refused before allocating.
  if (frameCount * 2 > r.remaining)
    throw new TimelineError('TL_BAD_SEGMENT', `payload.frame_count ${frameCount}: that many frames cannot fit in ${r.remaining} bytes`, { offset: countAt });
  // Stryker disable next-line ArrayDeclaration: the length only preallocates; every index 0..frameCount-1 is assigned below
  const frames = new Array<Uint8Array>(frameCount);
  const times = new Float64Array(frameCount);
  const period = 1000 / rateHz;
  for (let k = 0; k < frameCount; k++) {
    const at = r.at;
    const len = r.varuint(`payload frame ${k} length`);
    if (len < 1 || len > LIMITS.maxFrameBytes || len > r.remaining)
      throw new TimelineError('TL_BAD_SEGMENT', `payload frame ${k}: length ${len} not in 1..${Math.min(LIMITS.maxFrameBytes, r.remaining)}`, { offset: at });
    const frameAt = r.at;
    // Stryker disable next-line StringLiteral: len ≤ r.remaining was checked above, so this read cannot fail and its label never shows
    const frame = r.bytes(len, `payload frame ${k}`);
    const kind = frame[0];
    if (k === 0 ? kind !== FrameKind.KEYFRAME : kind !== FrameKind.DELTA) {
      throw new TimelineError('TL_BAD_SEGMENT', `payload frame ${k} has kind 0x${kind.toString(16)}; a segment is one keyframe then deltas`, {
        offset: frameAt,
      });
    }
    frames[k] = frame;
    times[k] = startMs + k * period;
  }
  if (r.remaining !== 0) throw new TimelineError('TL_BAD_SEGMENT', `${r.remaining} bytes after the last frame`, { offset: r.at });
  return { index, firstFrame, frameCount, startMs, frames, times };
}
