// Target timeline-segment (docs/fuzzing.md §2.5): a decompressed segment payload (docs/timeline-
// format.md §5.5, what GET …/segments/:n serves) → parseSegmentPayload, then every frame through
// a FrameDecoder of the race schema (§4.4). What decodes is encoded again — the payload with
// encodeSegmentPayload, the values with a FrameEncoder — and must decode to the same.
import * as fc from 'fast-check';
import { encodeSegmentPayload, FrameDecoder, FrameEncoder, parseSegmentPayload, TimelineError } from '@tidewire/timeline';
import { hostileCount } from '../hostile.ts';
import type { FuzzTarget } from '../target.ts';
import { RoundTripMismatch } from '../target.ts';
import { sameAfterRoundTrip } from './common.ts';
import { RACE_CARS, RACE_RATE_HZ, raceFrameBytes, smallRaceSchema } from './race.ts';
import { valuesLike } from './timeline-values.ts';

const schema = smallRaceSchema();
const CELLS = RACE_CARS * schema.fields.length;

function seeds(): Uint8Array[] {
  const frames = raceFrameBytes(60, 25);
  return [
    encodeSegmentPayload(0, 0, 0, frames.slice(0, 25)),
    encodeSegmentPayload(1, 25, 1000, frames.slice(25, 50)),
    encodeSegmentPayload(2, 50, 2000, frames.slice(50, 52)),
  ];
}

/** Frames a FrameEncoder makes from hostile values (the encoder refuses some: those are left out). */
function encodedFrames(values: readonly Float64Array[]): Uint8Array[] {
  const encoder = new FrameEncoder(schema);
  const out: Uint8Array[] = [];
  for (const v of values) {
    try {
      out.push((out.length === 0 ? encoder.encodeKeyframe(v) : encoder.encodeDelta(v)).slice());
    } catch {
      if (out.length === 0) return [Uint8Array.of(0)];
    }
  }
  return out;
}

function generate(): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(hostileCount, hostileCount, fc.oneof(fc.constantFrom(0, 40, -1, 1e15), fc.double()), fc.array(valuesLike(CELLS), { minLength: 1, maxLength: 6 }))
    .map(([index, firstFrame, startMs, values]) => {
      try {
        return encodeSegmentPayload(index, firstFrame, startMs, encodedFrames(values));
      } catch {
        return encodeSegmentPayload(0, 0, 0, encodedFrames(values));
      }
    });
}

function decodeFrames(frames: readonly Uint8Array[]): Float64Array[] {
  const decoder = new FrameDecoder(schema);
  return frames.map((f) => decoder.decode(f));
}

export const timelineSegment: FuzzTarget = {
  name: 'timeline-segment',
  what: 'parseSegmentPayload and FrameDecoder of @tidewire/timeline on one decompressed segment payload',
  seeds,
  generate,
  decode(input) {
    const seg = parseSegmentPayload(input, RACE_RATE_HZ);
    const values = decodeFrames(seg.frames);
    const again = parseSegmentPayload(encodeSegmentPayload(seg.index, seg.firstFrame, seg.startMs, seg.frames), RACE_RATE_HZ);
    sameAfterRoundTrip('segment', { ...seg, frames: seg.frames.map((f) => f.slice()) }, { ...again, frames: again.frames.map((f) => f.slice()) });
    // Decoded values are in range by construction (§4.4): the encoder must take them back.
    const encoder = new FrameEncoder(schema);
    let reencoded: Uint8Array[];
    try {
      reencoded = values.map((v, k) => (k === 0 ? encoder.encodeKeyframe(v) : encoder.encodeDelta(v)).slice());
    } catch (err) {
      throw new RoundTripMismatch(`decoded values do not encode: ${(err as Error).message}`);
    }
    sameAfterRoundTrip('frame values', values, decodeFrames(reencoded));
    return seg;
  },
  documented: (err) => TimelineError.is(err),
};
