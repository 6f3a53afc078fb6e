// Quasi-steady-state lap-time simulation (the classic "apex speed + forward/backward pass"):
// every sample has a cornering speed limit from its curvature, v = √(a_lat(v)·r) with downforce
// making a_lat grow with v²; a forward pass applies the acceleration limit (power, traction,
// drag, reduced by the grip the corner already uses: friction circle) and a backward pass the
// braking limit. One `grip` factor scales every limit; calibrate() fits it so the flying lap
// matches the race's fastest lap, which keeps speeds near real ones before pace scaling.
import type { Track } from './track.ts';

const G = 9.81;
/** Speed at which the aerodynamic terms below are quoted: 300 km/h. */
const V_REF = 300 / 3.6;
const LAT_BASE = 1.6,
  LAT_AERO = 3.0; // g: mechanical grip + downforce at V_REF
const BRAKE_BASE = 1.8,
  BRAKE_AERO = 3.2; // g
const TRACTION = 12; // m/s²
const POWER = 940; // W/kg: ~750 kW for ~800 kg
const DRAG = 0.0011; // 1/m: top speed ≈ ∛(POWER/DRAG) ≈ 95 m/s
export const V_MAX = 97;
/** A hard floor so a spiky curvature sample cannot stop a car. */
const V_MIN_CORNER = 12;

/** Speeds along samples i0 … i0+len−1 (lap-relative, may run past one lap), with time and acceleration. */
export interface Profile {
  i0: number;
  v: Float64Array;
  /** Seconds from sample i0. */
  t: Float64Array;
  /** Longitudinal acceleration (m/s²) from each sample to the next. */
  a: Float32Array;
}

export class SpeedModel {
  readonly track: Track;
  readonly grip: number;
  readonly vLim: Float64Array;
  /** Steady-state flying lap: speed at each sample of a lap driven lap after lap. */
  readonly flying: Float64Array;
  /** Duration of the flying lap (s). */
  readonly lapTime: number;

  constructor(track: Track, grip = 1) {
    this.track = track;
    this.grip = grip;
    const n = track.n;
    this.vLim = new Float64Array(n);
    const latAero = (grip * G * LAT_AERO) / (V_REF * V_REF);
    for (let i = 0; i < n; i++) {
      const k = Math.abs(track.kappa[i]);
      // v²·κ = grip·g·(LAT_BASE + LAT_AERO·v²/V_REF²), solved for v
      const den = k - latAero;
      this.vLim[i] = den <= 0 ? V_MAX : Math.max(V_MIN_CORNER, Math.min(V_MAX, Math.sqrt((grip * G * LAT_BASE) / den)));
    }
    // three laps forward and back converge to the periodic solution; keep the middle one
    const v3 = this.#passes(0, 3 * n, null, null);
    this.flying = v3.slice(n, 2 * n);
    let t = 0;
    for (let i = 0; i < n; i++) t += (2 * track.h) / (this.flying[i] + this.flying[(i + 1) % n]);
    this.lapTime = t;
  }

  #lat(v: number): number {
    return this.grip * G * (LAT_BASE + LAT_AERO * (v / V_REF) ** 2);
  }

  /** Share of the tyre left for longitudinal force after cornering at v on sample i. */
  #circle(v: number, i: number): number {
    const used = (v * v * Math.abs(this.track.kappa[i])) / this.#lat(v);
    return used >= 1 ? 0 : Math.sqrt(1 - used * used);
  }

  #accel(v: number, i: number): number {
    const drive = Math.min(this.grip * TRACTION, POWER / Math.max(v, 1));
    return drive * this.#circle(v, i) - DRAG * v * v;
  }

  #brake(v: number, i: number): number {
    return this.grip * G * (BRAKE_BASE + BRAKE_AERO * (v / V_REF) ** 2) * Math.max(0.25, this.#circle(v, i)) + DRAG * v * v;
  }

  #lim(i: number): number {
    const n = this.track.n;
    return this.vLim[((i % n) + n) % n];
  }

  /** Forward then backward pass over samples i0..i1 (inclusive); null ends take the limit (or the flying speed when known). */
  #passes(i0: number, i1: number, vStart: number | null, vEnd: number | null, endDecel?: number): Float64Array {
    const n = this.track.n;
    const h = this.track.h;
    const len = i1 - i0 + 1;
    const v = new Float64Array(len);
    v[0] = vStart ?? this.#lim(i0);
    for (let j = 1; j < len; j++) {
      const i = i0 + j - 1;
      const a = this.#accel(v[j - 1], ((i % n) + n) % n);
      v[j] = Math.min(this.#lim(i + 1), Math.sqrt(Math.max(0, v[j - 1] * v[j - 1] + 2 * a * h)));
    }
    if (vEnd !== null) v[len - 1] = Math.min(v[len - 1], vEnd);
    for (let j = len - 2; j >= 0; j--) {
      const i = i0 + j + 1;
      const b = endDecel ?? this.#brake(v[j + 1], ((i % n) + n) % n);
      v[j] = Math.min(v[j], Math.sqrt(v[j + 1] * v[j + 1] + 2 * b * h));
    }
    return v;
  }

  /**
   * The fastest way from sample i0 (speed vStart, or the flying speed there when null) to sample
   * i1 (arriving at most at vEnd, or the flying speed there when null — which carries every
   * braking zone beyond i1). endDecel replaces the braking limit (a gentle stop).
   */
  segment(i0: number, i1: number, vStart: number | null, vEnd: number | null, endDecel?: number): Profile {
    const n = this.track.n;
    const h = this.track.h;
    const fly = (i: number) => this.flying[((i % n) + n) % n];
    const v = this.#passes(i0, i1, vStart ?? fly(i0), vEnd ?? fly(i1), endDecel);
    const len = v.length;
    const t = new Float64Array(len);
    const a = new Float32Array(len);
    for (let j = 1; j < len; j++) {
      const sum = v[j - 1] + v[j];
      // constant acceleration between samples; a stop (sum 0) never happens mid-profile
      t[j] = t[j - 1] + (sum > 0 ? (2 * h) / sum : 0);
      a[j - 1] = (v[j] * v[j] - v[j - 1] * v[j - 1]) / (2 * h);
    }
    a[len - 1] = len > 1 ? a[len - 2] : 0;
    return { i0, v, t, a };
  }
}

/** The grip factor whose flying lap takes `lapSec` (bisection; clamped to 0.4–2.5). */
export function calibrate(track: Track, lapSec: number): SpeedModel {
  let lo = 0.4,
    hi = 2.5;
  let best = new SpeedModel(track, 1);
  if (!(lapSec > 0)) return best;
  for (let k = 0; k < 22; k++) {
    const mid = (lo + hi) / 2;
    best = new SpeedModel(track, mid);
    if (best.lapTime > lapSec) lo = mid;
    else hi = mid;
  }
  return best;
}
