// Rendering: samples every car's piece chain at the frame rate and derives what a timing screen
// shows — position and gap from distance raced, DRS from the detection points, gear, throttle
// and brake from the speed profile — then appends each frame to a TimelineWriter.
import type { FieldDef, TimelineWriter } from '@tidewire/timeline';
import { inSpan, type DrsZone } from './drs.ts';
import { Cursor, timeAt, type MotionSample } from './motion.ts';
import { pitOffsetAt, type PitLane } from './pit-lane.ts';
import type { CarPlan, RacePlan } from './plan.ts';
import { trackAt, type Track } from './track.ts';
import { V_MAX } from './vehicle.ts';

/** The frame columns (docs/replay-generator.md §5.1). */
export const FIELDS: FieldDef[] = [
  { name: 'x', type: 'f', scale: 0.01, unit: 'm' },
  { name: 'y', type: 'f', scale: 0.01, unit: 'm' },
  { name: 'speed', type: 'u16', scale: 0.1, unit: 'km/h' },
  { name: 'gear', type: 'i8' },
  { name: 'throttle', type: 'u8', unit: '%' },
  { name: 'brake', type: 'bool' },
  { name: 'drs', type: 'bool' },
  { name: 'lap', type: 'u16' },
  { name: 'position', type: 'u8' },
  { name: 'gapToLeader', type: 'f', scale: 0.001, unit: 's' },
  { name: 'status', type: 'u8' },
  { name: 'distance', type: 'f', scale: 0.1, unit: 'm' },
];
const F = FIELDS.length;
const [X, Y, SPEED, GEAR, THROTTLE, BRAKE, DRS, LAP, POSITION, GAP, STATUS, DISTANCE] = FIELDS.map((_, i) => i);

/** `status` values; their names are in the static metadata as `statusNames`. */
export const Status = { racing: 0, pit: 1, retired: 2, finished: 3, didNotStart: 4 } as const;
export const STATUS_NAMES = ['racing', 'pit', 'retired', 'finished', 'did-not-start'] as const;

const GEAR_UP_KMH = [80, 115, 145, 175, 210, 245, 280];
const GRID_HALF_WIDTH = 2.4;
const GRID_MERGE_M = 200;
const DRS_GAP_SEC = 1;
const DRS_FROM_LAP = 3;

export interface RenderOptions {
  rateHz: number;
  endSec: number;
  onProgress?: (fraction: number) => void;
}

interface CarState {
  plan: CarPlan;
  cursor: Cursor;
  sample: MotionSample;
  /** Lap distance at the previous frame (for detection points), NaN before the first. */
  prevD: number;
  armed: Uint8Array;
  finalGap: number;
}

function smoothstep(x: number): number {
  const c = Math.max(0, Math.min(1, x));
  return c * c * (3 - 2 * c);
}

function gearFor(kmh: number): number {
  let g = 1;
  for (const up of GEAR_UP_KMH) if (kmh > up) g++;
  return g;
}

/**
 * Renders the race into `writer`, entity order = `order` (results order; absent cars included).
 * Returns the number of frames.
 */
export function renderRace(
  plan: RacePlan,
  order: readonly number[],
  track: Track,
  lane: PitLane,
  zones: readonly DrsZone[],
  writer: TimelineWriter,
  options: RenderOptions,
): number {
  const L = track.lengthM;
  const E = order.length;
  const byNumber = new Map(plan.cars.map((c) => [c.number, c]));
  const flagCar = plan.flagCar;
  const states: (CarState | null)[] = order.map((num) => {
    const p = byNumber.get(num);
    if (!p) return null;
    const finalGap = p.finishSec === null ? NaN : p.finishSec - timeAt(flagCar.pieces, p.laps * L);
    return {
      plan: p,
      cursor: new Cursor(p.pieces),
      sample: { s: 0, v: 0, a: 0, piece: null, done: false },
      prevD: NaN,
      armed: new Uint8Array(zones.length),
      finalGap,
    };
  });
  const values = new Float64Array(E * F);
  const rank: number[] = [];
  const key1 = new Float64Array(E),
    key2 = new Float64Array(E),
    key3 = new Float64Array(E);
  const ranked = new Uint8Array(E);
  const lastCross = new Float64Array(zones.length).fill(-Infinity);
  const pos = { x: 0, y: 0, nx: 0, ny: 0 };
  const dt = 1 / options.rateHz;
  const frames = Math.floor(options.endSec * options.rateHz) + 1;
  const progressEvery = Math.max(1, Math.floor(frames / 50));

  for (let f = 0; f < frames; f++) {
    const t = f * dt;
    values.fill(NaN);
    // 1. motion and the per-car fields
    for (let e = 0; e < E; e++) {
      const st = states[e];
      const o = e * F;
      ranked[e] = 0;
      if (!st) {
        values[o + STATUS] = Status.didNotStart;
        continue;
      }
      const p = st.plan;
      const m = st.cursor.at(t, st.sample);
      const piece = m.piece;
      const phase = piece?.phase ?? 'racing';
      const finished = phase === 'cooldown';
      const retired = phase === 'retired' || (m.done && p.endKind !== 'finished');
      const status = finished ? Status.finished : retired ? Status.retired : phase === 'pit' || phase === 'pit-start' ? Status.pit : Status.racing;
      values[o + STATUS] = status;
      values[o + DISTANCE] = m.s;
      const completed = Math.max(0, Math.min(p.laps, Math.floor((m.s + 1e-6) / L)));
      // the lap being driven; once finished or retired, the laps completed
      values[o + LAP] = finished || retired ? p.laps : completed + 1;
      if (retired && m.done) continue; // gone from the track: only status, lap and distance remain

      // position on the track, with the pit lane's or the grid's lateral offset
      let off = 0;
      if (piece?.offset === 'pit') off = pitOffsetAt(lane, track, m.s);
      else if (piece?.offset === 'grid' && piece.gridS0 !== undefined)
        off = (piece.gridSide ?? 1) * GRID_HALF_WIDTH * (1 - smoothstep((m.s - piece.gridS0) / GRID_MERGE_M));
      trackAt(track, m.s, pos);
      values[o + X] = pos.x + off * pos.nx;
      values[o + Y] = pos.y + off * pos.ny;
      const kmh = m.v * 3.6;
      values[o + SPEED] = kmh;
      const still = m.v < 0.5;
      values[o + GEAR] = still ? (phase === 'pit' || retired ? 0 : 1) : gearFor(kmh);
      let throttle = 0,
        brake = 0;
      if (still) brake = phase === 'pit' || retired ? 1 : 0;
      else if (phase === 'pit' || phase === 'pit-start') {
        if (m.a < -1) brake = 1;
        else throttle = 25;
      } else if (m.a < -2.5) brake = 1;
      else if (m.a > 0.5 || m.v * (piece?.pace ?? 1) >= V_MAX - 0.5) throttle = 100;
      else throttle = Math.max(10, Math.min(99, Math.round(35 + 25 * m.a)));
      values[o + THROTTLE] = throttle;
      values[o + BRAKE] = brake;
      values[o + DRS] = 0;

      // ranking keys: distance raced; finished cars by laps, then by finish time with penalties
      if (retired) continue;
      ranked[e] = 1;
      if (finished) {
        key1[e] = p.laps * L;
        key2[e] = 1;
        key3[e] = -((p.finishSec as number) + p.row.penaltySec);
      } else if (phase === 'pit-start') {
        key1[e] = -1e12;
        key2[e] = 0;
        key3[e] = 0;
      } else {
        key1[e] = m.s;
        key2[e] = 0;
        key3[e] = 0;
      }
    }

    // 2. positions: an insertion sort of last frame's order, which is nearly sorted already
    for (let i = rank.length - 1; i >= 0; i--) if (!ranked[rank[i]]) rank.splice(i, 1);
    for (let e = 0; e < E; e++) if (ranked[e] && !rank.includes(e)) rank.push(e);
    for (let i = 1; i < rank.length; i++) {
      const e = rank[i];
      let j = i - 1;
      while (j >= 0 && ahead(e, rank[j])) {
        rank[j + 1] = rank[j];
        j--;
      }
      rank[j + 1] = e;
    }
    const leader = rank.length > 0 ? states[rank[0]] : null;
    for (let r = 0; r < rank.length; r++) {
      const e = rank[r];
      const st = states[e] as CarState;
      const o = e * F;
      values[o + POSITION] = r + 1;
      if (r === 0) values[o + GAP] = 0;
      else if (values[o + STATUS] === Status.finished) values[o + GAP] = st.finalGap;
      else if (leader) {
        const tl = timeAt(leader.plan.pieces, st.sample.s);
        values[o + GAP] = tl <= t ? t - tl : NaN;
      }
    }

    // 3. DRS: a car passing a detection point within 1 s of the car before it may open in that zone
    for (let e = 0; e < E; e++) {
      const st = states[e];
      if (!st || !ranked[e]) continue;
      const o = e * F;
      const racing = values[o + STATUS] === Status.racing;
      const d = ((st.sample.s % L) + L) % L;
      if (racing && !Number.isNaN(st.prevD)) {
        const moved = (d - st.prevD + L) % L;
        for (let z = 0; z < zones.length; z++) {
          const zone = zones[z];
          const before = (zone.detectionM - st.prevD + L) % L;
          if (moved > 0 && moved < L / 2 && before > 0 && before <= moved) {
            const tc = t - dt * (1 - before / moved);
            st.armed[z] = tc - lastCross[z] <= DRS_GAP_SEC && values[o + LAP] >= DRS_FROM_LAP && t < plan.flagSec ? 1 : 0;
            lastCross[z] = tc;
          }
          if (st.armed[z] && inSpan(d, zone.startM, zone.endM)) values[o + DRS] = 1;
          else if (st.armed[z] && inSpan(d, zone.endM, zone.detectionM)) st.armed[z] = 0; // past the zone: detect again next lap
        }
      }
      if (!racing) st.armed.fill(0);
      st.prevD = d;
    }

    writer.append(Math.round(t * 1000), values);
    if (options.onProgress && f % progressEvery === 0) options.onProgress(f / frames);
  }
  options.onProgress?.(1);
  return frames;

  function ahead(a: number, b: number): boolean {
    if (key1[a] !== key1[b]) return key1[a] > key1[b];
    if (key2[a] !== key2[b]) return key2[a] > key2[b];
    return key3[a] > key3[b];
  }
}
