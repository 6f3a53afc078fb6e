// Spectra for the measurements and the analyser: the DSP core's radix-2 FFT (src/dsp/fft.ts),
// one instance per size kept (the twiddles are the costly part), and the windows. Measurements
// run on the main thread or in tests, never in the audio thread.
import { Fft } from '../dsp/fft.ts';
import { LabError } from './errors.ts';

/** 2^24 points (16.7 M, 268 MB of Float64 work arrays) is past anything a page should do. */
export const MAX_FFT_SIZE = 1 << 24;

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}

export function nextPowerOfTwo(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

const ffts = new Map<number, Fft>();
/** Sizes up to this are kept (the analyser's, every frame); bigger ones are one-off measurements. */
const CACHED_FFT_MAX = 1 << 16;

export function fftOf(size: number): Fft {
  if (!isPowerOfTwo(size) || size > MAX_FFT_SIZE) throw new LabError('LAB_BAD_OPTION', `FFT size must be a power of two up to ${MAX_FFT_SIZE}, got ${size}`);
  if (size > CACHED_FFT_MAX) return new Fft(size);
  let f = ffts.get(size);
  if (!f) {
    f = new Fft(size);
    ffts.set(size, f);
  }
  return f;
}

/**
 * 4-term Blackman–Harris window (sidelobes at −92 dB): a harmonic 90 dB down stays visible
 * next to its fundamental, which a Hann window (−31 dB sidelobes) would bury.
 */
export function blackmanHarris(n: number): Float64Array {
  const w = new Float64Array(n);
  const a0 = 0.35875,
    a1 = 0.48829,
    a2 = 0.14128,
    a3 = 0.01168;
  for (let i = 0; i < n; i++) {
    const x = (2 * Math.PI * i) / (n - 1);
    w[i] = a0 - a1 * Math.cos(x) + a2 * Math.cos(2 * x) - a3 * Math.cos(3 * x);
  }
  return w;
}

/** Power spectrum (|X|², bins 0..n/2) of `x` windowed by `w`. */
export function powerSpectrum(x: ArrayLike<number>, w: Float64Array): Float64Array {
  const n = w.length;
  if (x.length < n) throw new LabError('LAB_BAD_OPTION', `need ${n} samples, got ${x.length}`);
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = x[i]! * w[i]!;
  fftOf(n).forward(re, im);
  const p = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) p[k] = re[k]! * re[k]! + im[k]! * im[k]!;
  return p;
}
