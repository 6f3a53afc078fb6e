// THD and THD+N of a captured tone, from one Blackman–Harris-windowed FFT:
//   fundamental  the strongest peak (or the one nearest `fundamentalHz`), refined by parabolic
//                interpolation of the log spectrum; its power is the sum over the window's main lobe
//   THD          √(Σ harmonic powers 2..H below Nyquist) / √(fundamental power)
//   THD+N        √(everything but DC and the fundamental, up to `bandHz`) / √(fundamental power)
// Power of a lobe → amplitude: Σ|X[k]|² over the lobe = (A²/4)·n·Σw² (Parseval), so
// A = √(4·P / (n·Σw²)); level in dBFS is 20·log10(A) (a full-scale sine is 0 dBFS).
import { LabError } from './errors.ts';
import { blackmanHarris, powerSpectrum } from './fft.ts';

export interface ToneAnalysis {
  fundamentalHz: number;
  /** Peak amplitude of the fundamental, dBFS. */
  fundamentalDbfs: number;
  thdPercent: number;
  thdDb: number;
  thdnPercent: number;
  thdnDb: number;
  /** Level of harmonic h (index h-2) relative to the fundamental, dB; NaN past Nyquist. */
  harmonicsDbc: number[];
  fftSize: number;
}

export interface ToneOptions {
  /** Look for the fundamental near this frequency (±5%) instead of taking the strongest peak. */
  fundamentalHz?: number;
  /** Highest harmonic counted (default 10). */
  harmonics?: number;
  /** Upper edge of the THD+N band (default 20 kHz, clamped to Nyquist). */
  bandHz?: number;
  /** Lower edge of the THD+N band (default 20 Hz). */
  lowHz?: number;
}

/** Main lobe half-width of the 4-term Blackman–Harris window, in bins (±4), plus one for leakage. */
const LOBE = 5;
export const MIN_TONE_FFT = 4096;
export const MAX_TONE_FFT = 1 << 18;

const db = (ratio: number): number => 20 * Math.log10(ratio);

export function analyzeTone(samples: ArrayLike<number>, sampleRate: number, options: ToneOptions = {}): ToneAnalysis {
  if (!(sampleRate > 0)) throw new LabError('LAB_BAD_OPTION', `sample rate must be positive, got ${sampleRate}`);
  const maxH = options.harmonics ?? 10;
  if (!Number.isInteger(maxH) || maxH < 2 || maxH > 50) throw new LabError('LAB_BAD_OPTION', 'harmonics must be an integer 2–50');
  let n = MIN_TONE_FFT;
  if (samples.length < n) throw new LabError('LAB_BAD_OPTION', `a tone analysis needs at least ${MIN_TONE_FFT} samples, got ${samples.length}`);
  while (n * 2 <= samples.length && n * 2 <= MAX_TONE_FFT) n *= 2;
  const w = blackmanHarris(n);
  // The last n samples: a capture's start may hold the generator's or a filter's settling.
  const start = samples.length - n;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = samples[start + i]!;
  const p = powerSpectrum(x, w);
  let sumW2 = 0;
  for (let i = 0; i < n; i++) sumW2 += w[i]! * w[i]!;
  const binHz = sampleRate / n;
  const nyquistBin = n / 2;

  let lo = LOBE + 1;
  let hi = nyquistBin - LOBE - 1;
  if (options.fundamentalHz !== undefined) {
    if (!(options.fundamentalHz > 0)) throw new LabError('LAB_BAD_OPTION', 'fundamentalHz must be positive');
    lo = Math.max(lo, Math.floor((options.fundamentalHz * 0.95) / binHz));
    hi = Math.min(hi, Math.ceil((options.fundamentalHz * 1.05) / binHz));
  }
  let k0 = -1;
  for (let k = lo; k <= hi; k++) if (k0 < 0 || p[k]! > p[k0]!) k0 = k;
  if (k0 < 0 || !(p[k0]! > 0)) throw new LabError('LAB_MEASURE_FAILED', 'no tone in the capture');
  // Parabolic interpolation on the log magnitude: the true frequency between bins.
  const la = Math.log(p[k0 - 1]! + 1e-300),
    lb = Math.log(p[k0]! + 1e-300),
    lc = Math.log(p[k0 + 1]! + 1e-300);
  const denom = la - 2 * lb + lc;
  const frac = denom !== 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (la - lc)) / denom)) : 0;
  const f0Bin = k0 + frac;

  const lobePower = (centre: number): number => {
    const c = Math.round(centre);
    let s = 0;
    for (let k = Math.max(1, c - LOBE); k <= Math.min(nyquistBin, c + LOBE); k++) s += p[k]!;
    return s;
  };
  const fundamental = lobePower(f0Bin);
  const amplitude = Math.sqrt((4 * fundamental) / (n * sumW2));

  const harmonicsDbc: number[] = [];
  let harmonicPower = 0;
  for (let h = 2; h <= maxH; h++) {
    const c = f0Bin * h;
    if (c + LOBE >= nyquistBin) {
      harmonicsDbc.push(Number.NaN);
      continue;
    }
    const ph = lobePower(c);
    harmonicPower += ph;
    harmonicsDbc.push(10 * Math.log10(Math.max(ph, 1e-300) / fundamental));
  }

  const lowBin = Math.max(LOBE + 1, Math.floor((options.lowHz ?? 20) / binHz));
  const highBin = Math.min(nyquistBin, Math.ceil(Math.min(options.bandHz ?? 20_000, sampleRate / 2) / binHz));
  const c0 = Math.round(f0Bin);
  let rest = 0;
  for (let k = lowBin; k <= highBin; k++) if (k < c0 - LOBE || k > c0 + LOBE) rest += p[k]!;

  const thd = Math.sqrt(harmonicPower / fundamental);
  const thdn = Math.sqrt(rest / fundamental);
  return {
    fundamentalHz: f0Bin * binHz,
    fundamentalDbfs: db(amplitude),
    thdPercent: thd * 100,
    thdDb: db(Math.max(thd, 1e-15)),
    thdnPercent: thdn * 100,
    thdnDb: db(Math.max(thdn, 1e-15)),
    harmonicsDbc,
    fftSize: n,
  };
}
