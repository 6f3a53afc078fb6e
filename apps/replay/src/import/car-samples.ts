// One car's samples as growable typed columns: about 35 bytes a row, so a 2-million-row session
// holds ~70 MB instead of the text or one object per row. Rows may arrive in any order (FastF1
// frames are often concatenated driver by driver, or merged from two feeds); sortByTime() puts
// them in time order and keeps the last of samples with equal times.

/** Gear and the boolean columns have no NaN: these mark a missing value. */
export const NO_GEAR = -128;
export const NO_FLAG = 255;

export class CarSamples {
  n = 0;
  t = new Float64Array(64);
  x = new Float64Array(64);
  y = new Float64Array(64);
  speed = new Float32Array(64);
  throttle = new Float32Array(64);
  gear = new Int8Array(64);
  brake = new Uint8Array(64);
  drs = new Uint8Array(64);

  push(t: number, x: number, y: number, speed: number, throttle: number, gear: number, brake: number, drs: number): void {
    if (this.n === this.t.length) this.grow(this.n * 2);
    const i = this.n++;
    this.t[i] = t;
    this.x[i] = x;
    this.y[i] = y;
    this.speed[i] = speed;
    this.throttle[i] = throttle;
    this.gear[i] = Number.isNaN(gear) ? NO_GEAR : gear;
    this.brake[i] = Number.isNaN(brake) ? NO_FLAG : brake;
    this.drs[i] = Number.isNaN(drs) ? NO_FLAG : drs;
  }

  /** Sorts by time (stable) and drops all but the last of equal times; returns how many were dropped. */
  sortByTime(): number {
    const n = this.n;
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (this.t[i]! <= this.t[i - 1]!) sorted = false;
    if (sorted) return 0;
    const order = Array.from({ length: n }, (_, i) => i);
    const t = this.t;
    order.sort((a, b) => t[a]! - t[b]! || a - b);
    const keep: number[] = [];
    for (let k = 0; k < n; k++) {
      if (k + 1 < n && t[order[k + 1]!] === t[order[k]!]) continue; // a later row of the same time wins
      keep.push(order[k]!);
    }
    const pick = <A extends Float64Array | Float32Array | Int8Array | Uint8Array>(a: A, make: (len: number) => A): A => {
      const out = make(Math.max(64, keep.length));
      for (let k = 0; k < keep.length; k++) out[k] = a[keep[k]!]!;
      return out;
    };
    this.t = pick(this.t, (l) => new Float64Array(l));
    this.x = pick(this.x, (l) => new Float64Array(l));
    this.y = pick(this.y, (l) => new Float64Array(l));
    this.speed = pick(this.speed, (l) => new Float32Array(l));
    this.throttle = pick(this.throttle, (l) => new Float32Array(l));
    this.gear = pick(this.gear, (l) => new Int8Array(l));
    this.brake = pick(this.brake, (l) => new Uint8Array(l));
    this.drs = pick(this.drs, (l) => new Uint8Array(l));
    this.n = keep.length;
    return n - keep.length;
  }

  private grow(capacity: number): void {
    const copy = <A extends Float64Array | Float32Array | Int8Array | Uint8Array>(a: A, b: A): A => {
      b.set(a);
      return b;
    };
    this.t = copy(this.t, new Float64Array(capacity));
    this.x = copy(this.x, new Float64Array(capacity));
    this.y = copy(this.y, new Float64Array(capacity));
    this.speed = copy(this.speed, new Float32Array(capacity));
    this.throttle = copy(this.throttle, new Float32Array(capacity));
    this.gear = copy(this.gear, new Int8Array(capacity));
    this.brake = copy(this.brake, new Uint8Array(capacity));
    this.drs = copy(this.drs, new Uint8Array(capacity));
  }
}

/**
 * Walks one car's samples forward in time and writes its frame cells: linear interpolation for
 * x, y, speed and throttle, the last sample at or before t for gear, brake and DRS; absent before
 * the first sample, after the last, and inside a gap longer than maxGapMs.
 */
export class CarCursor {
  private i = 0;
  constructor(
    private readonly s: CarSamples,
    private readonly maxGapMs: number,
  ) {}

  /** Writes x, y, speed, throttle, gear, brake, drs into out[o + col…]; returns false (nothing written) when absent at t. */
  at(
    t: number,
    out: Float64Array,
    o: number,
    col: { x: number; y: number; speed: number; throttle: number; gear: number; brake: number; drs: number },
  ): boolean {
    const s = this.s;
    const n = s.n;
    if (n === 0 || t < s.t[0]! || t > s.t[n - 1]!) return false;
    while (this.i + 1 < n && s.t[this.i + 1]! <= t) this.i++;
    const i = this.i;
    const ti = s.t[i]!;
    let j = i,
      a = 0;
    if (ti < t) {
      j = i + 1;
      const tj = s.t[j]!;
      if (tj - ti > this.maxGapMs) return false;
      a = (t - ti) / (tj - ti);
    }
    out[o + col.x] = lerp(s.x[i]!, s.x[j]!, a);
    out[o + col.y] = lerp(s.y[i]!, s.y[j]!, a);
    out[o + col.speed] = lerp(s.speed[i]!, s.speed[j]!, a);
    const th = lerp(s.throttle[i]!, s.throttle[j]!, a);
    out[o + col.throttle] = Number.isNaN(th) ? NaN : Math.round(th);
    const g = s.gear[i]!;
    out[o + col.gear] = g === NO_GEAR ? NaN : g;
    const b = s.brake[i]!;
    out[o + col.brake] = b === NO_FLAG ? NaN : b;
    const d = s.drs[i]!;
    out[o + col.drs] = d === NO_FLAG ? NaN : d;
    return true;
  }
}

/** NaN when either end is missing: an interpolated value is only as known as both of its samples. */
function lerp(a: number, b: number, t: number): number {
  return t === 0 ? a : a + (b - a) * t;
}
