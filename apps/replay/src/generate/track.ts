// The driven track: the circuit polyline oriented in the race direction, started at the
// start/finish line, resampled every ~2 m of *official* distance (so one lap is exactly the
// official length even where the polyline is a few % off), smoothed, with tangents, left
// normals and signed curvature. Sample i sits at lap distance i·h; index arithmetic wraps.
import type { Circuit } from './circuit.ts';
import { ReplayError } from './errors.ts';
import type { Direction } from './f1db.ts';

export type StartMethod = 'explicit' | 'first-point' | 'straight-near-venue' | 'longest-straight';

export interface Track {
  /** Official lap length (m). */
  lengthM: number;
  /** Samples per lap and the official distance between them (m). */
  n: number;
  h: number;
  x: Float64Array;
  y: Float64Array;
  /** Unit left normal (to the left of the direction of travel). */
  nx: Float64Array;
  ny: Float64Array;
  /** Signed curvature (1/m), > 0 turning left. */
  kappa: Float64Array;
  /** Length of the circuit's polyline (m) and the factor official = polyline × scale. */
  polylineLengthM: number;
  scale: number;
  /** True if the polyline was stored against the race direction and was reversed. */
  reversed: boolean;
  direction: Direction;
  startMethod: StartMethod;
}

export interface TrackOptions {
  direction: Direction;
  /** Official lap length (m). */
  lengthM: number;
  /** Target sample spacing (m); default 2. */
  step?: number;
  /** Start/finish line position (projected metres): overrides the search. */
  startFinish?: { x: number; y: number } | null;
  /** The venue's location (projected; F1DB's circuit latitude/longitude), used when the polyline's first point is not on a straight. */
  venue?: { x: number; y: number } | null;
}

const DENSIFY = 12;
/** A start line needs a straight: at most this much turning (rad) within ±WINDOW_M of it. */
const STRAIGHT_TURN = (20 * Math.PI) / 180;
const WINDOW_M = 120;

/** Shoelace area (m²): > 0 anticlockwise, < 0 clockwise (x east, y north). */
export function signedArea(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let a = 0;
  const n = x.length;
  for (let i = 0, j = n - 1; i < n; j = i++) a += x[j] * y[i] - x[i] * y[j];
  return a / 2;
}

/** Centripetal Catmull–Rom through the closed polyline, DENSIFY points per segment. */
function densify(px: Float64Array, py: Float64Array): { x: Float64Array; y: Float64Array; cum: Float64Array; vertexAt: Float64Array } {
  const n = px.length;
  const m = n * DENSIFY;
  const x = new Float64Array(m + 1);
  const y = new Float64Array(m + 1);
  const vertexIndex = new Int32Array(n);
  const at = (i: number) => ((i % n) + n) % n;
  for (let i = 0; i < n; i++) {
    const p0 = at(i - 1),
      p1 = i,
      p2 = at(i + 1),
      p3 = at(i + 2);
    const d01 = Math.max(1e-6, Math.sqrt(Math.hypot(px[p1] - px[p0], py[p1] - py[p0])));
    const d12 = Math.max(1e-6, Math.sqrt(Math.hypot(px[p2] - px[p1], py[p2] - py[p1])));
    const d23 = Math.max(1e-6, Math.sqrt(Math.hypot(px[p3] - px[p2], py[p3] - py[p2])));
    const t0 = 0,
      t1 = t0 + d01,
      t2 = t1 + d12,
      t3 = t2 + d23;
    vertexIndex[i] = i * DENSIFY;
    for (let k = 0; k < DENSIFY; k++) {
      const t = t1 + ((t2 - t1) * k) / DENSIFY;
      for (const [src, dst] of [
        [px, x],
        [py, y],
      ] as const) {
        const a1 = ((t1 - t) * src[p0] + (t - t0) * src[p1]) / (t1 - t0);
        const a2 = ((t2 - t) * src[p1] + (t - t1) * src[p2]) / (t2 - t1);
        const a3 = ((t3 - t) * src[p2] + (t - t2) * src[p3]) / (t3 - t2);
        const b1 = ((t2 - t) * a1 + (t - t0) * a2) / (t2 - t0);
        const b2 = ((t3 - t) * a2 + (t - t1) * a3) / (t3 - t1);
        dst[i * DENSIFY + k] = ((t2 - t) * b1 + (t - t1) * b2) / (t2 - t1);
      }
    }
  }
  x[m] = x[0];
  y[m] = y[0];
  const cum = new Float64Array(m + 1);
  for (let i = 1; i <= m; i++) cum[i] = cum[i - 1] + Math.hypot(x[i] - x[i - 1], y[i] - y[i - 1]);
  const vertexAt = new Float64Array(n);
  for (let i = 0; i < n; i++) vertexAt[i] = cum[vertexIndex[i]];
  return { x, y, cum, vertexAt };
}

/** Point at arc length u (wrapping) on the densified loop. */
function pointAt(d: { x: Float64Array; y: Float64Array; cum: Float64Array }, u: number, hint: { j: number }): [number, number] {
  const total = d.cum[d.cum.length - 1];
  u = ((u % total) + total) % total;
  let j = hint.j;
  if (d.cum[j] > u) j = 0;
  while (j < d.cum.length - 2 && d.cum[j + 1] < u) j++;
  hint.j = j;
  const seg = d.cum[j + 1] - d.cum[j];
  const f = seg > 0 ? (u - d.cum[j]) / seg : 0;
  return [d.x[j] + (d.x[j + 1] - d.x[j]) * f, d.y[j] + (d.y[j + 1] - d.y[j]) * f];
}

function gaussianPeriodic(src: Float64Array, sigma: number): Float64Array {
  const n = src.length;
  const r = Math.max(1, Math.ceil(3 * sigma));
  const w = new Float64Array(2 * r + 1);
  let sum = 0;
  for (let k = -r; k <= r; k++) sum += w[k + r] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < w.length; k++) w[k] /= sum;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += w[k + r] * src[(((i + k) % n) + n) % n];
    out[i] = acc;
  }
  return out;
}

/** Samples the loop every P/n of polyline length starting at arc length u0, smooths, differentiates. */
function sampleLoop(d: ReturnType<typeof densify>, u0: number, n: number, lengthM: number): Pick<Track, 'x' | 'y' | 'nx' | 'ny' | 'kappa'> {
  const total = d.cum[d.cum.length - 1];
  const rawX = new Float64Array(n);
  const rawY = new Float64Array(n);
  const hint = { j: 0 };
  // walk from u0 so the hint only moves forward, except once at the wrap
  for (let i = 0; i < n; i++) [rawX[i], rawY[i]] = pointAt(d, u0 + (i * total) / n, hint);
  const h = lengthM / n;
  // ~6 m of smoothing takes the kinks out of the spline without cutting corners
  const x = gaussianPeriodic(rawX, 6 / h);
  const y = gaussianPeriodic(rawY, 6 / h);
  const nx = new Float64Array(n);
  const ny = new Float64Array(n);
  const k = new Float64Array(n);
  const m = 2;
  for (let i = 0; i < n; i++) {
    const a = (i - m + n) % n,
      b = (i + m) % n;
    const dx = (x[b] - x[a]) / 2,
      dy = (y[b] - y[a]) / 2;
    const ddx = x[b] - 2 * x[i] + x[a],
      ddy = y[b] - 2 * y[i] + y[a];
    const len = Math.hypot(dx, dy) || 1;
    nx[i] = -dy / len;
    ny[i] = dx / len;
    // (x'y'' − y'x'') / |r'|³ with the same spacing m for both differences; r' is per m samples
    k[i] = (dx * ddy - dy * ddx) / (len * len * len);
  }
  return { x, y, nx, ny, kappa: gaussianPeriodic(k, 10 / h) };
}

/** Arc position of the nearest point of the densified loop to (px, py). */
function nearestArc(d: ReturnType<typeof densify>, px: number, py: number): number {
  let best = Infinity,
    at = 0;
  for (let j = 0; j < d.cum.length - 1; j++) {
    const ax = d.x[j],
      ay = d.y[j],
      bx = d.x[j + 1],
      by = d.y[j + 1];
    const vx = bx - ax,
      vy = by - ay;
    const l2 = vx * vx + vy * vy;
    const f = l2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / l2)) : 0;
    const dd = Math.hypot(ax + vx * f - px, ay + vy * f - py);
    if (dd < best) {
      best = dd;
      at = d.cum[j] + f * Math.sqrt(l2);
    }
  }
  return at;
}

/** Total absolute turning of the loop within ±WINDOW_M of arc position u. */
function turningAround(d: ReturnType<typeof densify>, u: number): number {
  const stepM = 10;
  let turn = 0;
  let prev: number | null = null;
  let [lx, ly] = pointAt(d, u - WINDOW_M - stepM, { j: 0 });
  for (let s = -WINDOW_M; s <= WINDOW_M; s += stepM) {
    const [x, y] = pointAt(d, u + s, { j: 0 });
    const heading = Math.atan2(y - ly, x - lx);
    if (prev !== null) {
      let dh = heading - prev;
      while (dh > Math.PI) dh -= 2 * Math.PI;
      while (dh < -Math.PI) dh += 2 * Math.PI;
      turn += Math.abs(dh);
    }
    prev = heading;
    lx = x;
    ly = y;
  }
  return turn;
}

/** Straights of a sampled loop: maximal runs (wrapping) with |κ| below 1/600 m, as [startIndex, length in samples]. */
export function findStraights(kappa: Float64Array, minSamples: number): Array<{ start: number; count: number }> {
  const n = kappa.length;
  const straight = (i: number) => Math.abs(kappa[((i % n) + n) % n]) < 1 / 600;
  let first = 0;
  while (first < n && straight(first)) first++;
  if (first === n) return [{ start: 0, count: n }];
  const out: Array<{ start: number; count: number }> = [];
  let i = first;
  while (i < first + n) {
    if (!straight(i)) {
      i++;
      continue;
    }
    const start = i;
    while (i < first + n && straight(i)) i++;
    if (i - start >= minSamples) out.push({ start: start % n, count: i - start });
  }
  return out;
}

/** Builds the driven track from a projected circuit. */
export function buildTrack(circuit: Circuit, options: TrackOptions): Track {
  const lengthM = options.lengthM;
  if (!(lengthM >= 500 && lengthM <= 30_000)) throw new ReplayError('REPLAY_BAD_OPTION', `lap length ${lengthM} m is outside 500..30000`);
  const step = options.step ?? 2;
  if (!(step >= 0.5 && step <= 10)) throw new ReplayError('REPLAY_BAD_OPTION', `step ${step} m is outside 0.5..10`);
  let px = circuit.x,
    py = circuit.y;
  const area = signedArea(px, py);
  const wantClockwise = options.direction === 'CLOCKWISE';
  const reversed = area < 0 !== wantClockwise;
  if (reversed) {
    px = px.slice().reverse();
    py = py.slice().reverse();
  }
  const d = densify(px, py);
  const total = d.cum[d.cum.length - 1];
  const scale = lengthM / total;
  if (scale < 0.8 || scale > 1.25)
    throw new ReplayError('REPLAY_BAD_CIRCUIT', `the polyline is ${Math.round(total)} m long but the lap is ${lengthM} m: wrong circuit?`);
  const n = Math.max(200, Math.round(lengthM / step));

  let u0: number;
  let startMethod: StartMethod;
  if (options.startFinish) {
    u0 = nearestArc(d, options.startFinish.x, options.startFinish.y);
    startMethod = 'explicit';
  } else {
    // f1-circuits polylines mostly begin at the start/finish line; trust that when the point sits
    // on a straight. Reversing moved the file's first point to the end.
    const first = reversed ? d.vertexAt[px.length - 1] : d.vertexAt[0];
    if (turningAround(d, first) <= STRAIGHT_TURN) {
      u0 = first;
      startMethod = 'first-point';
    } else {
      const probe = sampleLoop(d, 0, n, lengthM);
      const straights = findStraights(probe.kappa, Math.round(250 / (lengthM / n)));
      if (straights.length === 0) {
        u0 = first;
        startMethod = 'first-point';
      } else {
        let best = straights[0];
        const mid = (s: { start: number; count: number }) => (s.start + Math.round(s.count * 0.6)) % n;
        if (options.venue) {
          const v = options.venue;
          const dist = (s: { start: number; count: number }) => Math.hypot(probe.x[mid(s)] - v.x, probe.y[mid(s)] - v.y);
          for (const s of straights) if (dist(s) < dist(best)) best = s;
          startMethod = 'straight-near-venue';
        } else {
          for (const s of straights) if (s.count > best.count) best = s;
          startMethod = 'longest-straight';
        }
        u0 = (mid(best) * total) / n;
      }
    }
  }
  const s = sampleLoop(d, u0, n, lengthM);
  return { lengthM, n, h: lengthM / n, ...s, polylineLengthM: total, scale, reversed, direction: options.direction, startMethod };
}

/** Position, left normal and curvature at lap distance d (m, wraps), interpolated between samples. */
export function trackAt(t: Track, d: number, out: { x: number; y: number; nx: number; ny: number }): void {
  const u = (((d / t.h) % t.n) + t.n) % t.n;
  const i = Math.floor(u);
  const j = i + 1 === t.n ? 0 : i + 1;
  const f = u - i;
  out.x = t.x[i] + (t.x[j] - t.x[i]) * f;
  out.y = t.y[i] + (t.y[j] - t.y[i]) * f;
  out.nx = t.nx[i] + (t.nx[j] - t.nx[i]) * f;
  out.ny = t.ny[i] + (t.ny[j] - t.ny[i]) * f;
}
