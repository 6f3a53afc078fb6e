// Real timeline frames for seeds: the race stream of @tidewire/timeline/testing, encoded by the
// package's own FrameEncoder (a keyframe, then deltas). Small (3 cars) so seeds stay short.
import { FrameEncoder, type TimelineSchema } from '@tidewire/timeline';
import { raceFrames, raceSchema } from '@tidewire/timeline/testing';

export const RACE_CARS = 3;
export const RACE_RATE_HZ = 25;

export function smallRaceSchema(): TimelineSchema {
  return raceSchema(RACE_CARS, RACE_RATE_HZ);
}

/** `count` encoded frames; every `keyEvery`-th is a keyframe. Values are copied per frame. */
export function raceFrameBytes(count: number, keyEvery = 50): Uint8Array[] {
  const encoder = new FrameEncoder(smallRaceSchema());
  const out: Uint8Array[] = [];
  let i = 0;
  for (const values of raceFrames(count, RACE_CARS, RACE_RATE_HZ, 0.05)) {
    out.push((i % keyEvery === 0 ? encoder.encodeKeyframe(values) : encoder.encodeDelta(values)).slice());
    i++;
  }
  return out;
}

/** The race values themselves (copies), for writers that encode on their own. */
export function raceValues(count: number): Float64Array[] {
  return Array.from(raceFrames(count, RACE_CARS, RACE_RATE_HZ, 0.05), (v) => v.slice());
}
