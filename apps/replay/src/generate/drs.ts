// DRS zones. F1DB has none, so they are found on the flying lap: the longest stretches that are
// both straight (radius > 500 m) and at full throttle, each opened 60 m after the stretch
// begins and closed at its braking point, with the detection point 150 m before the zone.
import type { Track } from './track.ts';
import { V_MAX, type SpeedModel } from './vehicle.ts';

export interface DrsZone {
  /** Lap distances (m from the line, wrapping). */
  detectionM: number;
  startM: number;
  endM: number;
}

const MIN_ZONE_M = 450;
const MAX_ZONES = 3;

export function findDrsZones(track: Track, model: SpeedModel): DrsZone[] {
  const { n, h } = track;
  const lap = model.segment(0, n, null, null);
  const open = (i: number) => {
    const j = ((i % n) + n) % n;
    return Math.abs(track.kappa[j]) < 1 / 500 && (lap.a[j] > 0.05 || lap.v[j] >= V_MAX - 0.5);
  };
  let first = 0;
  while (first < n && open(first)) first++;
  if (first === n) return [];
  const runs: Array<{ start: number; count: number }> = [];
  for (let i = first; i < first + n;) {
    if (!open(i)) {
      i++;
      continue;
    }
    const start = i;
    while (i < first + n && open(i)) i++;
    runs.push({ start, count: i - start });
  }
  const wrap = (m: number) => ((m % track.lengthM) + track.lengthM) % track.lengthM;
  return runs
    .map((r) => ({ startM: r.start * h + 60, endM: (r.start + r.count) * h }))
    .filter((z) => z.endM - z.startM >= MIN_ZONE_M)
    .sort((a, b) => b.endM - b.startM - (a.endM - a.startM))
    .slice(0, MAX_ZONES)
    .map((z) => ({ detectionM: wrap(z.startM - 150), startM: wrap(z.startM), endM: wrap(z.endM) }))
    .sort((a, b) => a.startM - b.startM);
}

/** Whether lap distance d lies in [from, to] on a loop of length L (the span may wrap). */
export function inSpan(d: number, from: number, to: number): boolean {
  return from <= to ? d >= from && d <= to : d >= from || d <= to;
}
