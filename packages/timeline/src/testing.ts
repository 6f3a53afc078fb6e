// A deterministic race-like stream for benchmarks and size tests: 20 cars lapping a closed
// ~5.5 km track at 25 Hz. Speeds follow the track's curvature with acceleration and braking
// limits (so x/y move smoothly along curves, speed ramps, gears shift, throttle and brake
// switch), plus DRS zones, lap counts and race positions. `@tidewire/timeline/testing`: the
// benchmarks (this package's, the server's, bench/) and tests share it through this export.

import type { TimelineSchema } from './index.ts';
import { seededRandom } from '@tidewire/random';

export const RACE_FIELDS = ['x', 'y', 'speed', 'gear', 'throttle', 'brake', 'drs', 'lap', 'position'] as const;

export function raceSchema(cars = 20, rateHz = 25): TimelineSchema {
  return {
    name: 'race',
    rateHz,
    fields: [
      { name: 'x', type: 'f', scale: 0.01, unit: 'm' },
      { name: 'y', type: 'f', scale: 0.01, unit: 'm' },
      { name: 'speed', type: 'u16', scale: 0.1, unit: 'km/h' },
      { name: 'gear', type: 'i8' },
      { name: 'throttle', type: 'u8', unit: '%' },
      { name: 'brake', type: 'bool' },
      { name: 'drs', type: 'bool' },
      { name: 'lap', type: 'u16' },
      { name: 'position', type: 'u8' },
    ],
    entities: Array.from({ length: cars }, (_, i) => ({
      id: String(i + 1),
      code: `C${String(i + 1).padStart(2, '0')}`,
      color: `#${((i * 0x2f6b3d) & 0xffffff).toString(16).padStart(6, '0')}`,
    })),
    static: { track: 'synthetic loop' },
  };
}

interface Track {
  length: number;
  xs: Float64Array;
  ys: Float64Array;
  /** Target speed (m/s) at each sample, with acceleration and braking limits applied. */
  vs: Float64Array;
  step: number;
}

function buildTrack(): Track {
  // A wobbly closed curve, resampled by arc length at 1 m.
  const raw = 20000;
  const px = new Float64Array(raw + 1);
  const py = new Float64Array(raw + 1);
  for (let i = 0; i <= raw; i++) {
    const t = (i / raw) * 2 * Math.PI;
    const r = 700 * (1 + 0.22 * Math.sin(3 * t) + 0.1 * Math.cos(5 * t + 1) + 0.06 * Math.sin(9 * t + 2) + 0.04 * Math.cos(14 * t) + 0.025 * Math.sin(21 * t));
    px[i] = r * Math.cos(t);
    py[i] = 0.7 * r * Math.sin(t);
  }
  const cum = new Float64Array(raw + 1);
  for (let i = 1; i <= raw; i++) cum[i] = cum[i - 1] + Math.hypot(px[i] - px[i - 1], py[i] - py[i - 1]);
  const length = cum[raw];
  const step = 1;
  const n = Math.floor(length / step);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < n; i++) {
    const s = i * step;
    while (cum[j + 1] < s) j++;
    const u = (s - cum[j]) / (cum[j + 1] - cum[j]);
    xs[i] = px[j] + u * (px[j + 1] - px[j]);
    ys[i] = py[j] + u * (py[j + 1] - py[j]);
  }
  // Curvature → cornering speed (lateral 35 m/s², top speed 92 m/s), then a forward pass
  // (drag-limited acceleration, 12 m/s² from standstill, 0 at 95 m/s) and a backward pass
  // (braking 35 m/s²), twice round the loop.
  const vs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = (i - 10 + n) % n,
      c = (i + 10) % n;
    const d1x = xs[i] - xs[a],
      d1y = ys[i] - ys[a],
      d2x = xs[c] - xs[i],
      d2y = ys[c] - ys[i];
    const turn = Math.abs(Math.atan2(d1x * d2y - d1y * d2x, d1x * d2x + d1y * d2y));
    const kappa = turn / 20 + 1e-6;
    vs[i] = Math.min(92, Math.sqrt(35 / kappa));
  }
  for (let pass = 0; pass < 2; pass++) {
    for (let k = 1; k <= n; k++) {
      const i = k % n,
        p = k - 1;
      const a = 12 * (1 - (vs[p] / 95) ** 2);
      vs[i] = Math.min(vs[i], Math.sqrt(vs[p] * vs[p] + 2 * a * step));
    }
    for (let k = n - 1; k >= 0; k--) {
      const i = k,
        nx = (k + 1) % n;
      vs[i] = Math.min(vs[i], Math.sqrt(vs[nx] * vs[nx] + 2 * 35 * step));
    }
  }
  return { length, xs, ys, vs, step };
}

function sample(arr: Float64Array, s: number, step: number): number {
  const n = arr.length;
  const f = s / step;
  const i = Math.floor(f);
  const u = f - i;
  return arr[i % n] * (1 - u) + arr[(i + 1) % n] * u;
}

/** Yields `frames` frames of the race (values entity-major, fields as RACE_FIELDS); the array is reused. */
export function trackStats(): { lengthM: number; minKmh: number; maxKmh: number; lapS: number } {
  const t = buildTrack();
  let lap = 0;
  for (const v of t.vs) lap += t.step / v;
  return { lengthM: t.length, minKmh: Math.min(...t.vs) * 3.6, maxKmh: Math.max(...t.vs) * 3.6, lapS: lap };
}

export function* raceFrames(frames: number, cars = 20, rateHz = 25, noiseM = 0): Generator<Float64Array> {
  const track = buildTrack();
  const F = RACE_FIELDS.length;
  const dt = 1 / rateHz;
  const values = new Float64Array(cars * F);
  const dist = Float64Array.from({ length: cars }, (_, i) => -i * 12); // grid: 12 m apart
  const pace = Float64Array.from({ length: cars }, (_, i) => 1 - i * 0.0015);
  const lateral = Float64Array.from({ length: cars }, (_, i) => ((i % 3) - 1) * 1.5);
  const throttle = new Float64Array(cars);
  const lastV = new Float64Array(cars);
  const rand = seededRandom(12345);
  const order = Array.from({ length: cars }, (_, i) => i);
  for (let t = 0; t < frames; t++) {
    for (let c = 0; c < cars; c++) {
      const s = ((dist[c] % track.length) + track.length) % track.length;
      const v = sample(track.vs, s, track.step) * pace[c];
      const acc = (v - lastV[c]) / dt;
      lastV[c] = v;
      dist[c] += v * dt;
      // Position: on the racing line, offset sideways, sometimes with measurement noise.
      const x0 = sample(track.xs, s, track.step),
        y0 = sample(track.ys, s, track.step);
      const x1 = sample(track.xs, s + 1, track.step),
        y1 = sample(track.ys, s + 1, track.step);
      const len = Math.hypot(x1 - x0, y1 - y0) || 1;
      const nx = -(y1 - y0) / len,
        ny = (x1 - x0) / len;
      lateral[c] += (rand() - 0.5) * 0.02;
      const noise = () => (noiseM === 0 ? 0 : (rand() + rand() + rand() - 1.5) * noiseM);
      const o = c * F;
      values[o] = x0 + nx * lateral[c] + noise();
      values[o + 1] = y0 + ny * lateral[c] + noise();
      const kmh = v * 3.6;
      values[o + 2] = kmh;
      values[o + 3] = kmh < 80 ? 2 : kmh < 120 ? 3 : kmh < 160 ? 4 : kmh < 200 ? 5 : kmh < 240 ? 6 : kmh < 280 ? 7 : 8;
      const target = acc > 0.5 ? 100 : acc < -3 ? 0 : 40 + Math.round(v / 2);
      throttle[c] += Math.max(-25, Math.min(25, target - throttle[c])); // pedal ramps over a few frames
      values[o + 4] = Math.max(0, Math.min(100, Math.round(throttle[c])));
      values[o + 5] = acc < -3 ? 1 : 0;
      values[o + 6] = v > 85 && Math.floor(Math.max(0, dist[c]) / track.length) >= 2 && c % 2 === 1 ? 1 : 0;
      values[o + 7] = Math.max(0, Math.floor(dist[c] / track.length)) + 1;
    }
    order.sort((a, b) => dist[b] - dist[a]);
    for (let p = 0; p < cars; p++) values[order[p] * F + 8] = p + 1;
    yield values;
  }
}
