// A car's race as a chain of pieces. A piece is a run of knots (distance, time, speed,
// acceleration) — a lap profile of the speed model, a pit-lane traverse, a wait — placed at a
// start time and race distance and stretched in time by a pace factor. Pieces are contiguous in
// time and distance. A Cursor samples a chain at increasing times (the 25 Hz render) in O(1)
// amortised; timeAt() inverts it (for gaps) by binary search.
import type { Profile } from './vehicle.ts';

/** Knots relative to their piece: s in metres from the piece's base distance, t in seconds from its start (before pace). */
export interface Knots {
  s: Float64Array;
  t: Float64Array;
  v: Float64Array;
  a: Float32Array;
}

export type Phase = 'racing' | 'pit' | 'pit-start' | 'retiring' | 'retired' | 'cooldown';
/** Which lateral offset applies: none, the pit lane's, or the grid stagger of lap 1. */
export type OffsetKind = 'none' | 'pit' | 'grid';

export interface Piece {
  t0: number;
  /** Time multiplier: 1.05 = 5 % slower than the knots. Speeds divide by it. */
  pace: number;
  /** Race distance of knot s = 0. */
  sBase: number;
  k: Knots;
  phase: Phase;
  offset: OffsetKind;
  /** For 'grid': the lateral side (±1) and the start distance of the stagger. */
  gridSide?: number;
  gridS0?: number;
}

export function knotsFromProfile(p: Profile, h: number): Knots {
  const s = new Float64Array(p.v.length);
  for (let j = 0; j < s.length; j++) s[j] = (p.i0 + j) * h;
  return { s, t: p.t, v: p.v, a: p.a };
}

/** A car standing still at s (relative 0) for `seconds`. */
export function waitKnots(seconds: number): Knots {
  return { s: new Float64Array([0, 0]), t: new Float64Array([0, seconds]), v: new Float64Array(2), a: new Float32Array(2) };
}

export function pieceEnd(p: Piece): number {
  return p.t0 + p.pace * p.k.t[p.k.t.length - 1];
}

export function pieceEndS(p: Piece): number {
  return p.sBase + p.k.s[p.k.s.length - 1];
}

/** One sample of a chain. */
export interface MotionSample {
  s: number;
  v: number;
  a: number;
  piece: Piece | null;
  /** True after the chain's last piece ended. */
  done: boolean;
}

export class Cursor {
  readonly pieces: readonly Piece[];
  #p = 0;
  #j = 0;

  constructor(pieces: readonly Piece[]) {
    this.pieces = pieces;
  }

  /** Samples the chain at time t; times must not decrease between calls. */
  at(t: number, out: MotionSample): MotionSample {
    const ps = this.pieces;
    while (this.#p < ps.length - 1 && pieceEnd(ps[this.#p]) <= t) {
      this.#p++;
      this.#j = 0;
    }
    const p = ps[this.#p];
    const k = p.k;
    const last = k.t.length - 1;
    const local = (t - p.t0) / p.pace;
    if (local >= k.t[last]) {
      out.s = p.sBase + k.s[last];
      out.v = k.v[last] / p.pace;
      out.a = 0;
      out.piece = p;
      out.done = this.#p === ps.length - 1 && local > k.t[last];
      return out;
    }
    if (local <= 0) {
      out.s = p.sBase + k.s[0];
      out.v = k.v[0] / p.pace;
      out.a = k.a[0] / (p.pace * p.pace);
      out.piece = p;
      out.done = false;
      return out;
    }
    let j = this.#j;
    while (j < last - 1 && k.t[j + 1] <= local) j++;
    this.#j = j;
    const span = k.t[j + 1] - k.t[j];
    const f = span > 0 ? (local - k.t[j]) / span : 0;
    out.s = p.sBase + k.s[j] + (k.s[j + 1] - k.s[j]) * f;
    out.v = (k.v[j] + (k.v[j + 1] - k.v[j]) * f) / p.pace;
    out.a = k.a[j] / (p.pace * p.pace);
    out.piece = p;
    out.done = false;
    return out;
  }
}

/** First time the chain reaches race distance s, or NaN if it never does (or s is before its start). */
export function timeAt(pieces: readonly Piece[], s: number): number {
  let lo = 0,
    hi = pieces.length - 1;
  if (hi < 0 || s < pieces[0].sBase + pieces[0].k.s[0] || s > pieceEndS(pieces[hi])) return NaN;
  // first piece whose end reaches s
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pieceEndS(pieces[mid]) >= s) hi = mid;
    else lo = mid + 1;
  }
  const p = pieces[lo];
  const k = p.k;
  const rel = s - p.sBase;
  let a = 0,
    b = k.s.length - 1;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (k.s[mid] >= rel) b = mid;
    else a = mid + 1;
  }
  if (a === 0) return p.t0 + p.pace * k.t[0];
  const ds = k.s[a] - k.s[a - 1];
  const f = ds > 0 ? (rel - k.s[a - 1]) / ds : 1;
  return p.t0 + p.pace * (k.t[a - 1] + (k.t[a] - k.t[a - 1]) * f);
}
