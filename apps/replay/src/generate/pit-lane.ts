// The pit lane, approximated: f1-circuits has no pit lanes, so the lane runs alongside the
// track around the start/finish line, from ENTRY before the line to EXIT after it, offset to
// the inside of the circuit (pit buildings mostly sit inside the loop). Its length is chosen so
// the quickest stop of the race fits: a lane of length P at the limiter takes P/v, plus ~2.5 s
// of braking into and leaving the box, plus a stationary time ≥ MIN_STATIONARY.
import type { Knots } from './motion.ts';
import type { Track } from './track.ts';

export const PIT_SPEED = 80 / 3.6;
const BOX_DECEL = 10; // m/s²
const BOX_ACCEL = 8; // m/s²
export const MIN_STATIONARY = 1.8;
const OFFSET_M = 18;
const RAMP_M = 70;
const ENTRY_SHARE = 0.45;

export interface PitLane {
  /** Samples before the line where the lane starts, and after it where it ends. */
  entrySamples: number;
  exitSamples: number;
  lengthM: number;
  speed: number;
  /** +1: the lane is on the left of the direction of travel, −1: on the right. */
  side: 1 | -1;
  /** Lateral offset (m, signed along the left normal) at samples −entrySamples … +exitSamples. */
  offset: Float64Array;
  /** Box position (samples from the lane start) per constructor id. */
  boxes: Map<string, number>;
}

function smoothstep(x: number): number {
  const c = Math.max(0, Math.min(1, x));
  return c * c * (3 - 2 * c);
}

/**
 * Builds the lane. `shortestStop` is the quickest pit-lane time of the race (s), or null; the
 * lane is then PIT_SPEED × (shortest − 4.5 s), clamped to 200–700 m. `teams` get boxes in order
 * along the middle half of the lane.
 */
export function buildPitLane(track: Track, shortestStop: number | null, teams: readonly string[]): PitLane {
  const length = Math.max(200, Math.min(700, shortestStop === null ? 400 : PIT_SPEED * (shortestStop - 4.5)));
  const total = Math.round(length / track.h);
  const entrySamples = Math.round(total * ENTRY_SHARE);
  const exitSamples = total - entrySamples;
  const side: 1 | -1 = track.direction === 'CLOCKWISE' ? -1 : 1;
  const n = track.n;
  const raw = new Float64Array(total + 1);
  for (let j = 0; j <= total; j++) {
    const fromStart = j * track.h,
      toEnd = (total - j) * track.h;
    let w = OFFSET_M * smoothstep(fromStart / RAMP_M) * smoothstep(toEnd / RAMP_M);
    // on the inside of a bend an offset larger than the radius would fold the lane over itself
    const k = track.kappa[(((j - entrySamples) % n) + n) % n];
    if (Math.sign(k) === side && Math.abs(k) > 1e-6) w = Math.min(w, 0.6 / Math.abs(k));
    raw[j] = side * w;
  }
  const offset = new Float64Array(total + 1);
  const r = 5;
  for (let j = 0; j <= total; j++) {
    let acc = 0,
      cnt = 0;
    for (let q = Math.max(0, j - r); q <= Math.min(total, j + r); q++) {
      acc += raw[q];
      cnt++;
    }
    offset[j] = j === 0 || j === total ? 0 : acc / cnt;
  }
  const boxes = new Map<string, number>();
  const sorted = [...new Set(teams)].sort();
  sorted.forEach((team, i) => {
    const f = sorted.length === 1 ? 0.5 : 0.3 + (0.4 * i) / (sorted.length - 1);
    boxes.set(team, Math.round(total * f));
  });
  return { entrySamples, exitSamples, lengthM: total * track.h, speed: PIT_SPEED, side, offset, boxes };
}

/** Lateral offset of the lane at lap distance d (m), 0 outside the lane. */
export function pitOffsetAt(lane: PitLane, track: Track, d: number): number {
  let rel = d / track.h;
  const n = track.n;
  rel = ((rel % n) + n) % n;
  if (rel > n / 2) rel -= n;
  const u = rel + lane.entrySamples;
  if (u <= 0 || u >= lane.offset.length - 1) return 0;
  const i = Math.floor(u);
  return lane.offset[i] + (lane.offset[i + 1] - lane.offset[i]) * (u - i);
}

/** The lane at limiter speed v, standing `stationary` s at sample `box` (−1: no stop, constant v). */
function traverse(lane: PitLane, h: number, box: number, v: number, stationary: number): Knots {
  const total = lane.entrySamples + lane.exitSamples;
  const len = total + (box >= 0 ? 2 : 1); // the box sample appears twice: arrival and departure
  const s = new Float64Array(len),
    t = new Float64Array(len),
    vel = new Float64Array(len),
    a = new Float32Array(len);
  let k = 0;
  for (let j = 0; j <= total; j++) {
    const d = Math.abs(j - box) * h;
    const vj = box < 0 ? v : j === box ? 0 : Math.min(v, Math.sqrt(2 * (j < box ? BOX_DECEL : BOX_ACCEL) * d));
    const sj = (j - lane.entrySamples) * h;
    if (k > 0) {
      const sum = vel[k - 1] + vj;
      t[k] = t[k - 1] + (sum > 0 ? (2 * h) / sum : 0);
      a[k - 1] = (vj * vj - vel[k - 1] * vel[k - 1]) / (2 * h);
    }
    s[k] = sj;
    vel[k] = vj;
    k++;
    if (j === box) {
      s[k] = sj;
      vel[k] = 0;
      t[k] = t[k - 1] + stationary;
      a[k - 1] = 0;
      k++;
    }
  }
  a[len - 1] = 0;
  return { s, t, v: vel, a };
}

/**
 * The knots of one stop lasting `duration` s from the lane's start to its end (s relative to the
 * line: −entry … +exit). If the stop is quicker than the lane allows at the limiter, the car goes
 * faster (the real lane is shorter than ours). `retire`: the knots end when the car reaches its
 * box, which is moved past the line if needed so the in-lap still counts (the car retires in its garage).
 */
export function pitStopKnots(lane: PitLane, h: number, team: string, duration: number, retire = false): Knots {
  const box = lane.boxes.get(team) ?? Math.round((lane.entrySamples + lane.exitSamples) / 2);
  if (retire) {
    const garage = Math.max(box, lane.entrySamples + 5);
    return truncateAtBox(traverse(lane, h, garage, lane.speed, 0), garage);
  }
  const moving = (v: number) => {
    const k = traverse(lane, h, box, v, 0);
    return k.t[k.t.length - 1];
  };
  let v = lane.speed;
  if (duration - moving(v) >= MIN_STATIONARY) return traverse(lane, h, box, v, duration - moving(v));
  // quicker than our lane allows at the limiter: a faster lane, and failing that a drive-through
  if (duration - moving(2 * v) >= MIN_STATIONARY) {
    let lo = v,
      hi = 2 * v;
    for (let i = 0; i < 40; i++) {
      const mid = (lo + hi) / 2;
      if (duration - moving(mid) < MIN_STATIONARY) lo = mid;
      else hi = mid;
    }
    v = hi;
    return traverse(lane, h, box, v, duration - moving(v));
  }
  return traverse(lane, h, -1, ((lane.entrySamples + lane.exitSamples) * h) / duration, 0);
}

/** Knots from the lane start up to the box arrival (a car retiring in its garage). */
function truncateAtBox(k: Knots, box: number): Knots {
  const end = box + 1;
  return { s: k.s.slice(0, end), t: k.t.slice(0, end), v: k.v.slice(0, end), a: k.a.slice(0, end) };
}
