// Exponential sine sweep (Farina; synchronised form after Novak et al. 2015) and its inverse.
//   f(t) = f1·exp(t/L),  x(t) = sin(2π·f1·L·(exp(t/L) − 1)),  0 ≤ t < T = L·ln(f2/f1)
// L is rounded so that f1·L is an integer: then the k-th harmonic of the sweep is the sweep
// itself advanced by L·ln(k), and after deconvolution each harmonic's impulse response sits at
// −L·ln(k) with its phase intact. The phase is evaluated directly from t in double precision
// (expm1 keeps the start exact), so nothing accumulates over a long sweep.
import { DspError } from './errors.ts';
import { Fft } from './fft.ts';

export const MAX_SWEEP_SECONDS = 60;

export interface SweepDesign {
  readonly f1: number;
  readonly f2: number;
  readonly sampleRate: number;
  /** Rate constant L (s): the frequency grows by e every L seconds. */
  readonly rate: number;
  /** Actual duration T = L·ln(f2/f1) (s), close to the requested one. */
  readonly duration: number;
  /** Samples the sweep lasts: ceil(T·sampleRate). */
  readonly samples: number;
}

/** L for a requested duration; 0 when the arguments cannot make a sweep. Allocation-free. */
export function sweepRate(f1: number, f2: number, duration: number, sampleRate: number): number {
  if (!(f1 > 0 && f2 > f1 && f2 <= sampleRate / 2 && duration > 0 && duration <= MAX_SWEEP_SECONDS)) return 0;
  const cycles = Math.max(1, Math.round((f1 * duration) / Math.log(f2 / f1)));
  const rate = cycles / f1;
  return rate * Math.log(f2 / f1) <= MAX_SWEEP_SECONDS ? rate : 0;
}

export function designSweep(f1: number, f2: number, duration: number, sampleRate: number): SweepDesign {
  if (!(sampleRate >= 8000 && sampleRate <= 768000)) throw new DspError('DSP_BAD_OPTION', `sample rate ${sampleRate} out of [8000, 768000]`);
  const rate = sweepRate(f1, f2, duration, sampleRate);
  if (rate === 0) {
    throw new DspError('DSP_BAD_OPTION', `sweep needs 0 < f1 < f2 ≤ sampleRate/2 and 0 < duration ≤ ${MAX_SWEEP_SECONDS} s (got ${f1}, ${f2}, ${duration})`);
  }
  const T = rate * Math.log(f2 / f1);
  return { f1, f2, sampleRate, rate, duration: T, samples: Math.ceil(T * sampleRate) };
}

/** The sweep's sample n (0 outside the sweep): what the worklet produces before level. */
export function sweepSample(d: SweepDesign, n: number): number {
  if (n < 0 || n >= d.samples) return 0;
  // Same expression as SweepSource.render, so this reference matches the worklet bit for bit.
  return Math.sin(2 * Math.PI * d.f1 * d.rate * Math.expm1(n * (1 / (d.sampleRate * d.rate))));
}

/** Instantaneous frequency at time t (s) from the sweep's start. */
export function sweepFrequencyAt(d: SweepDesign, t: number): number {
  return d.f1 * Math.exp(t / d.rate);
}

/** Where the k-th harmonic's impulse response lands after deconvolution: −L·ln(k) seconds. */
export function harmonicDelay(d: SweepDesign, k: number): number {
  return d.rate * Math.log(k);
}

/** The whole sweep in double precision, zero-padded to `length`. */
export function renderSweep(d: SweepDesign, length = d.samples): Float64Array {
  const out = new Float64Array(length);
  for (let n = 0; n < Math.min(length, d.samples); n++) out[n] = sweepSample(d, n);
  return out;
}

/** Audio-thread sweep player; configure() validates without throwing or allocating. */
export class SweepSource {
  private f1 = 20;
  private rate = 0;
  private samples = 0;
  private pos = 0;
  private readonly sampleRate: number;

  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
  }

  /** Takes effect from the next start(). False (and no change) when the arguments are invalid. */
  configure(f1: number, f2: number, duration: number): boolean {
    const rate = sweepRate(f1, f2, duration, this.sampleRate);
    if (rate === 0) return false;
    this.f1 = f1;
    this.rate = rate;
    this.samples = Math.ceil(rate * Math.log(f2 / f1) * this.sampleRate);
    return true;
  }

  start(): void {
    this.pos = 0;
  }

  render(out: Float64Array, n: number): void {
    const w = 2 * Math.PI * this.f1 * this.rate;
    const k = 1 / (this.sampleRate * this.rate);
    let pos = this.pos;
    for (let i = 0; i < n; i++) {
      out[i] = pos < this.samples ? Math.sin(w * Math.expm1(pos * k)) : 0;
      pos++;
    }
    this.pos = pos;
  }
}

export interface Spectrum {
  readonly size: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
}

function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/**
 * The sweep's regularised inverse on an FFT of `size` points: conj(X)/(|X|² + ε), with ε tiny
 * inside [f1, f2] (an exact inverse there, Fresnel ripple included) and large outside, where the
 * sweep has no energy to divide by.
 */
export function sweepInverseSpectrum(d: SweepDesign, size: number): Spectrum {
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const x = renderSweep(d, Math.min(d.samples, size));
  re.set(x);
  new Fft(size).forward(re, im);
  let peak = 0;
  for (let k = 0; k < size; k++) peak = Math.max(peak, re[k] * re[k] + im[k] * im[k]);
  const binHz = d.sampleRate / size;
  for (let k = 0; k < size; k++) {
    const f = (k <= size / 2 ? k : size - k) * binHz;
    const eps = f >= d.f1 && f <= d.f2 ? peak * 1e-10 : peak * 1e-3;
    const p = re[k] * re[k] + im[k] * im[k] + eps;
    re[k] = re[k] / p;
    im[k] = -im[k] / p;
  }
  return { size, re, im };
}

/**
 * Deconvolves a recording of the sweep (starting at the sweep's first sample) into a circular
 * impulse response of `size` points: the linear response from index 0, the k-th harmonic's
 * response around index size − harmonicDelay(d, k)·sampleRate. `size` defaults to the next
 * power of two holding the recording plus the sweep, so nothing wraps.
 */
export function deconvolveSweep(recorded: ArrayLike<number>, d: SweepDesign, size = nextPow2(recorded.length + d.samples)): Float64Array {
  if (recorded.length > size) throw new DspError('DSP_BAD_OPTION', `recording of ${recorded.length} samples exceeds the FFT size ${size}`);
  const inv = sweepInverseSpectrum(d, size);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < recorded.length; i++) re[i] = recorded[i];
  const fft = new Fft(size);
  fft.forward(re, im);
  for (let k = 0; k < size; k++) {
    const a = re[k],
      b = im[k];
    re[k] = a * inv.re[k] - b * inv.im[k];
    im[k] = a * inv.im[k] + b * inv.re[k];
  }
  fft.inverse(re, im);
  return re;
}

/**
 * The inverse filter as a causal FIR of `size` taps: convolving a recording with it puts the
 * linear impulse response at index d.samples (the harmonics before it, at d.samples − L·ln(k)·sr).
 */
export function sweepInverseFilter(d: SweepDesign, size = nextPow2(2 * d.samples)): Float64Array {
  const inv = sweepInverseSpectrum(d, size);
  const re = inv.re.slice();
  const im = inv.im.slice();
  new Fft(size).inverse(re, im);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[(i + d.samples) % size] = re[i];
  return out;
}

/** `length` samples of the k-th harmonic's impulse response from a deconvolved `ir`, starting `pre` samples early. */
export function harmonicResponse(ir: Float64Array, d: SweepDesign, k: number, length: number, pre = 0): Float64Array {
  const size = ir.length;
  const start = Math.round(-harmonicDelay(d, k) * d.sampleRate) - pre;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = ir[(((start + i) % size) + size) % size];
  return out;
}
