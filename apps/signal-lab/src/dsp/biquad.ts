// RBJ Audio EQ Cookbook biquads in transposed direct form II, with parameter smoothing:
// frequency and Q glide in the log domain, gain in dB, with a 5 ms one-pole; coefficients are
// recomputed only on samples where a smoothed value moved.

export const EQ_PEAKING = 0;
export const EQ_LOWSHELF = 1;
export const EQ_HIGHSHELF = 2;
export const EQ_LOWPASS = 3;
export const EQ_HIGHPASS = 4;

/**
 * Normalised coefficients [b0, b1, b2, a1, a2] (a0 = 1) into out. f is clamped to
 * [1 Hz, 0.499·sampleRate] and q to ≥ 0.01 so automation cannot make the filter unstable.
 */
export function rbjCoefficients(type: number, f: number, q: number, gainDb: number, sampleRate: number, out: Float64Array): void {
  SCRATCH[0] = f;
  SCRATCH[1] = q;
  SCRATCH[2] = gainDb;
  rbjFromArray(type, SCRATCH, sampleRate, out);
}

const SCRATCH = new Float64Array(3);

// The audio thread's entry: parameters [f, q, gain dB] in an array, because doubles passed as
// arguments to a call V8 does not inline are boxed (allocated), and this one is not inlined.
function rbjFromArray(type: number, pv: Float64Array, sampleRate: number, out: Float64Array): void {
  const f = pv[0];
  const q = pv[1];
  const gainDb = pv[2];
  const fc = Math.min(0.499 * sampleRate, Math.max(1, f));
  const qq = Math.max(0.01, q);
  const w0 = (2 * Math.PI * fc) / sampleRate;
  const cs = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * qq);
  const A = Math.pow(10, gainDb / 40);
  let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
  switch (type) {
    case EQ_LOWPASS:
      b0 = (1 - cs) / 2;
      b1 = 1 - cs;
      b2 = b0;
      a0 = 1 + alpha;
      a1 = -2 * cs;
      a2 = 1 - alpha;
      break;
    case EQ_HIGHPASS:
      b0 = (1 + cs) / 2;
      b1 = -(1 + cs);
      b2 = b0;
      a0 = 1 + alpha;
      a1 = -2 * cs;
      a2 = 1 - alpha;
      break;
    case EQ_LOWSHELF: {
      const s = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 - (A - 1) * cs + s);
      b1 = 2 * A * (A - 1 - (A + 1) * cs);
      b2 = A * (A + 1 - (A - 1) * cs - s);
      a0 = A + 1 + (A - 1) * cs + s;
      a1 = -2 * (A - 1 + (A + 1) * cs);
      a2 = A + 1 + (A - 1) * cs - s;
      break;
    }
    case EQ_HIGHSHELF: {
      const s = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 + (A - 1) * cs + s);
      b1 = -2 * A * (A - 1 + (A + 1) * cs);
      b2 = A * (A + 1 + (A - 1) * cs - s);
      a0 = A + 1 - (A - 1) * cs + s;
      a1 = 2 * (A - 1 - (A + 1) * cs);
      a2 = A + 1 - (A - 1) * cs - s;
      break;
    }
    default:
      b0 = 1 + alpha * A;
      b1 = -2 * cs;
      b2 = 1 - alpha * A;
      a0 = 1 + alpha / A;
      a1 = -2 * cs;
      a2 = 1 - alpha / A;
      break;
  }
  out[0] = b0 / a0;
  out[1] = b1 / a0;
  out[2] = b2 / a0;
  out[3] = a1 / a0;
  out[4] = a2 / a0;
}

/** |H(e^{jω})| of normalised coefficients at f Hz. */
export function biquadMagnitude(c: ArrayLike<number>, f: number, sampleRate: number): number {
  const w = (2 * Math.PI * f) / sampleRate;
  const c1 = Math.cos(w),
    s1 = Math.sin(w),
    c2 = Math.cos(2 * w),
    s2 = Math.sin(2 * w);
  const nr = c[0] + c[1] * c1 + c[2] * c2;
  const ni = -(c[1] * s1 + c[2] * s2);
  const dr = 1 + c[3] * c1 + c[4] * c2;
  const di = -(c[3] * s1 + c[4] * s2);
  return Math.sqrt((nr * nr + ni * ni) / (dr * dr + di * di));
}

// Run every filter type once at load: V8 then has type feedback for all branches and does not
// deoptimise (which allocates) the first time the audio thread switches to a new type.
{
  const warm = new Float64Array(5);
  for (let type = EQ_PEAKING; type <= EQ_HIGHPASS; type++) rbjCoefficients(type, 1000, 1, 3, 48000, warm);
}

const SMOOTH_SECONDS = 0.005;
/** Relative distance under which a smoothed value snaps to its target (and stops costing). */
const SNAP = 1e-9;

export class Biquad {
  type = EQ_PEAKING;
  private readonly sampleRate: number;
  private readonly k: number;
  private readonly c = new Float64Array(5);
  private readonly pv = new Float64Array(3);
  private s1 = 0;
  private s2 = 0;
  // Smoothed parameters: log-frequency, log-Q, gain dB. NaN until the first block primes them,
  // so a filter starts at its parameters instead of gliding from defaults.
  private lf = NaN;
  private lq = NaN;
  private g = NaN;
  private dirty = true;

  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
    this.k = 1 - Math.exp(-1 / (SMOOTH_SECONDS * sampleRate));
  }

  setType(type: number): void {
    if (type !== this.type) {
      this.type = type;
      this.dirty = true;
    }
  }

  /** Clears the filter memory; the smoothed parameters jump to their next values. */
  reset(): void {
    this.s1 = this.s2 = 0;
    this.lf = this.lq = this.g = NaN;
    this.dirty = true;
  }

  coefficients(): Float64Array {
    return this.c;
  }

  process(buf: Float64Array, n: number, freq: Float32Array, q: Float32Array, gain: Float32Array): void {
    const fs = freq.length > 1 ? 1 : 0;
    const qs = q.length > 1 ? 1 : 0;
    const gs = gain.length > 1 ? 1 : 0;
    const c = this.c;
    const k = this.k;
    let s1 = this.s1,
      s2 = this.s2;
    let lf = this.lf,
      lq = this.lq,
      g = this.g;
    let dirty = this.dirty;
    if (lf !== lf) {
      lf = Math.log(Math.max(freq[0], 1));
      lq = Math.log(Math.max(q[0], 0.01));
      g = gain[0];
      dirty = true;
    }
    let b0 = c[0],
      b1 = c[1],
      b2 = c[2],
      a1 = c[3],
      a2 = c[4];
    // Targets of constant parameters are computed once per block, automated ones per sample.
    // (Math.log(Math.max(..)) written out: a helper returning a double could box it.)
    let tf = Math.log(Math.max(freq[0], 1));
    let tq = Math.log(Math.max(q[0], 0.01));
    let tg = gain[0];
    for (let i = 0; i < n; i++) {
      if (fs !== 0) tf = Math.log(Math.max(freq[i], 1));
      if (qs !== 0) tq = Math.log(Math.max(q[i], 0.01));
      if (gs !== 0) tg = gain[i];
      if (tf !== lf) {
        lf += (tf - lf) * k;
        if (Math.abs(tf - lf) < SNAP) lf = tf;
        dirty = true;
      }
      if (tq !== lq) {
        lq += (tq - lq) * k;
        if (Math.abs(tq - lq) < SNAP) lq = tq;
        dirty = true;
      }
      if (tg !== g) {
        g += (tg - g) * k;
        if (Math.abs(tg - g) < SNAP) g = tg;
        dirty = true;
      }
      if (dirty) {
        const pv = this.pv;
        pv[0] = Math.exp(lf);
        pv[1] = Math.exp(lq);
        pv[2] = g;
        rbjFromArray(this.type, pv, this.sampleRate, c);
        b0 = c[0];
        b1 = c[1];
        b2 = c[2];
        a1 = c[3];
        a2 = c[4];
        dirty = false;
      }
      const x = buf[i];
      const y = b0 * x + s1;
      s1 = b1 * x - a1 * y + s2;
      s2 = b2 * x - a2 * y;
      buf[i] = y;
    }
    // Flush denormals: a silent input decays the state towards subnormals, which are slow.
    if (Math.abs(s1) < 1e-30) s1 *= 0;
    if (Math.abs(s2) < 1e-30) s2 *= 0;
    this.s1 = s1;
    this.s2 = s2;
    this.lf = lf;
    this.lq = lq;
    this.g = g;
    this.dirty = dirty;
  }
}
