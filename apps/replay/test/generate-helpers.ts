// Test helpers: read a generated replay frame by frame and keep what the acceptance tests check
// (first frame, status changes, pit intervals, the leader's path), plus a small synthetic race.
import { gunzipSync } from 'node:zlib';
import { FrameDecoder, TimelineReader } from '@tidewire/timeline';
import type { RaceFiles } from '../src/index.ts';

export interface CarFacts {
  number: number;
  first: Record<string, number>;
  /** First frame time with status finished, and the lap field then. */
  finishSec: number | null;
  finishLap: number | null;
  retiredLap: number | null;
  /** Pit-lane intervals: lap field at entry, entry and exit frame times. */
  pits: Array<{ lap: number; enterSec: number; exitSec: number }>;
  last: Record<string, number>;
}

export interface ReplayFacts {
  reader: TimelineReader;
  rateHz: number;
  frames: number;
  cars: CarFacts[];
  /** x/y of the given entity over one lap. */
  path: { x: number[]; y: number[] };
  /** Problems found frame by frame (duplicate positions, values out of range, DRS where not allowed). */
  violations: string[];
  drsFrames: number;
}

/**
 * Decodes every frame of `file`. `pathEntity`/`pathLap`: whose x/y to keep, on which lap (only
 * while racing, so the pit lane does not distort the driven path).
 */
export async function readFacts(file: Uint8Array, pathEntity: number, pathLap: number): Promise<ReplayFacts> {
  const reader = TimelineReader.open(file);
  const schema = reader.schema;
  const F = schema.fields.length;
  const E = schema.entities.length;
  const col = Object.fromEntries(schema.fields.map((f, i) => [f.name, i])) as Record<string, number>;
  const names = schema.fields.map((f) => f.name);
  const decoder = new FrameDecoder(schema);
  const v = new Float64Array(E * F);
  const cars: CarFacts[] = schema.entities.map((e) => ({
    number: Number(e.id),
    first: {},
    finishSec: null,
    finishLap: null,
    retiredLap: null,
    pits: [],
    last: {},
  }));
  const inPit: (number | null)[] = new Array(E).fill(null);
  const pitLap: number[] = new Array(E).fill(0);
  const path = { x: [] as number[], y: [] as number[] };
  const violations: string[] = [];
  let drsFrames = 0;
  let frame = 0;
  const record = (o: number) => Object.fromEntries(names.map((n, i) => [n, v[o + i]]));
  for (let n = 0; n < reader.segmentCount; n++) {
    const seg = await reader.decodeSegment(n, (z) => gunzipSync(z));
    for (const bytes of seg.frames) {
      decoder.decode(bytes, v);
      const t = frame / schema.rateHz;
      const seen = new Set<number>();
      for (let e = 0; e < E; e++) {
        const o = e * F;
        const c = cars[e];
        const status = v[o + col.status];
        if (frame === 0) c.first = record(o);
        if (status === 3 && c.finishSec === null) {
          c.finishSec = t;
          c.finishLap = v[o + col.lap];
        }
        if (status === 2 && c.retiredLap === null) c.retiredLap = v[o + col.lap];
        if (status === 1 && inPit[e] === null) {
          inPit[e] = t;
          pitLap[e] = v[o + col.lap];
        }
        if (status !== 1 && inPit[e] !== null) {
          c.pits.push({ lap: pitLap[e], enterSec: inPit[e] as number, exitSec: t });
          inPit[e] = null;
        }
        const pos = v[o + col.position];
        if (!Number.isNaN(pos)) {
          if (seen.has(pos)) violations.push(`frame ${frame}: position ${pos} twice`);
          seen.add(pos);
        }
        const speed = v[o + col.speed];
        if (speed < 0 || speed > 360) violations.push(`frame ${frame} car ${c.number}: speed ${speed}`);
        const gear = v[o + col.gear];
        if (gear < 0 || gear > 8) violations.push(`frame ${frame} car ${c.number}: gear ${gear}`);
        const throttle = v[o + col.throttle];
        if (throttle < 0 || throttle > 100) violations.push(`frame ${frame} car ${c.number}: throttle ${throttle}`);
        if (v[o + col.drs] === 1) {
          drsFrames++;
          if (status !== 0 || v[o + col.lap] < 3) violations.push(`frame ${frame} car ${c.number}: DRS open with status ${status} on lap ${v[o + col.lap]}`);
        }
        if (e === pathEntity && status === 0 && v[o + col.lap] === pathLap) {
          path.x.push(v[o + col.x]);
          path.y.push(v[o + col.y]);
        }
        if (violations.length > 20) throw new Error(violations.join('\n'));
      }
      if (seen.size > 0 && Math.max(...seen) !== seen.size) violations.push(`frame ${frame}: positions are not 1..${seen.size}`);
      frame++;
    }
  }
  for (let e = 0; e < E; e++) cars[e].last = record(e * F);
  return { reader, rateHz: schema.rateHz, frames: frame, cars, path, violations, drsFrames };
}

/** Shoelace area of a closed path (m²): > 0 anticlockwise. */
export function pathArea(x: number[], y: number[]): number {
  let a = 0;
  for (let i = 0, j = x.length - 1; i < x.length; j = i++) a += x[j] * y[i] - x[i] * y[j];
  return a / 2;
}

/**
 * A five-lap race on the Bahrain layout: a winner, a car 3.5 s behind with a stop on lap 2, a
 * car one lap down, and a pit-lane starter retiring after 2 laps.
 */
export function syntheticRace(over: { direction?: string; laps?: number } = {}): RaceFiles {
  const row = (pos: number | string, num: number, id: string, team: string, laps: number, extra: string) =>
    `- position: ${pos}\n  driverNumber: ${num}\n  driverId: ${id}\n  constructorId: ${team}\n  laps: ${laps}\n${extra}`;
  return {
    race: [
      'id: 9999',
      'round: 1',
      'date: 2024-03-02',
      'officialName: Test Grand Prix',
      'grandPrixId: test',
      'circuitId: bahrain',
      `direction: ${over.direction ?? 'CLOCKWISE'}`,
      'courseLength: 5.412',
      `laps: ${over.laps ?? 5}`,
    ].join('\n'),
    results: [
      row(1, 1, 'max-verstappen', 'red-bull', 5, '  time: "0:08:00.000"\n  gap:\n  reasonRetired:'),
      row(2, 11, 'sergio-perez', 'red-bull', 5, '  time: "0:08:03.500"\n  gap: "+3.500"\n  reasonRetired:'),
      row(3, 16, 'charles-leclerc', 'ferrari', 4, '  time:\n  gap: "+1 lap"\n  reasonRetired:'),
      row('DNF', 55, 'carlos-sainz-jr', 'ferrari', 2, '  time:\n  gap:\n  reasonRetired: Engine'),
    ].join('\n'),
    grid: [
      '- position: 1\n  driverNumber: 1\n  driverId: max-verstappen',
      '- position: 2\n  driverNumber: 16\n  driverId: charles-leclerc',
      '- position: 3\n  driverNumber: 11\n  driverId: sergio-perez',
      '- position: PL\n  driverNumber: 55\n  driverId: carlos-sainz-jr',
    ].join('\n'),
    pitStops: '- driverNumber: 11\n  stop: 1\n  lap: 2\n  time: "24.000"',
    fastestLaps: '- position: 1\n  driverNumber: 1\n  lap: 4\n  time: "1:33.000"',
  };
}
