// The analyser behind the spectrum view: a Blackman–Harris-windowed FFT of the newest samples,
// scaled so a full-scale sine reads 0 dBFS at its bin, exponentially averaged across frames,
// and the peak located between bins by parabolic interpolation. Work arrays are allocated once
// per size; update() allocates nothing (it runs every animation frame).
import { LabError } from './errors.ts';
import { blackmanHarris, fftOf, isPowerOfTwo } from './fft.ts';

export const SPECTRUM_SIZES = [1024, 2048, 4096, 8192, 16384, 32768] as const;
const FLOOR_DB = -200;

/**
 * Whether the view analyses again now: once `size / 4` new samples have come since the last
 * analysis (75 % overlap, the usual for a Blackman–Harris window), or when the sample count went
 * back (a new context). At 48 kHz an 8192-point window is analysed ~23 times a second rather than
 * at every animation frame (60): the main thread's per-frame FFT work drops by more than half
 * for sizes above 4096, and a picture refreshed every 43 ms is as smooth to the eye.
 */
export function analysisDue(total: number, lastTotal: number, size: number): boolean {
  if (total === lastTotal) return false;
  return total < lastTotal || total - lastTotal >= size / 4;
}

export interface SpectrumPeak {
  hz: number;
  db: number;
}

export class SpectrumAnalyser {
  readonly size: number;
  readonly sampleRate: number;
  /** dBFS per bin 0..size/2, averaged. */
  readonly db: Float32Array;
  /** 0: no averaging; towards 1: slower. */
  smoothing: number;
  private readonly window: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly power: Float64Array;
  private readonly scale: number;
  private primed = false;

  constructor(size: number, sampleRate: number, smoothing = 0.6) {
    if (!isPowerOfTwo(size) || size < 256 || size > 1 << 16)
      throw new LabError('LAB_BAD_OPTION', `spectrum size must be a power of two 256–65536, got ${size}`);
    if (!(sampleRate > 0)) throw new LabError('LAB_BAD_OPTION', 'sample rate must be positive');
    this.size = size;
    this.sampleRate = sampleRate;
    this.smoothing = smoothing;
    this.window = blackmanHarris(size);
    let sum = 0;
    for (let i = 0; i < size; i++) sum += this.window[i]!;
    // A sine of amplitude A puts A·Σw/2 in its bin: scale by 2/Σw so that A = 1 reads 0 dB.
    this.scale = 2 / sum;
    this.re = new Float64Array(size);
    this.im = new Float64Array(size);
    this.power = new Float64Array(size / 2 + 1);
    this.db = new Float32Array(size / 2 + 1).fill(FLOOR_DB);
  }

  get binHz(): number {
    return this.sampleRate / this.size;
  }

  /** Analyses `samples` (the newest `size` of them, oldest first). */
  update(samples: ArrayLike<number>): void {
    const n = this.size;
    if (samples.length < n) throw new LabError('LAB_BAD_OPTION', `need ${n} samples`);
    const off = samples.length - n;
    const re = this.re,
      im = this.im,
      w = this.window;
    for (let i = 0; i < n; i++) {
      re[i] = samples[off + i]! * w[i]!;
      im[i] = 0;
    }
    fftOf(n).forward(re, im);
    const a = this.primed ? this.smoothing : 0;
    const s2 = this.scale * this.scale;
    for (let k = 0; k <= n / 2; k++) {
      const p = (re[k]! * re[k]! + im[k]! * im[k]!) * s2;
      this.power[k] = a * this.power[k]! + (1 - a) * p;
      this.db[k] = this.power[k]! > 1e-20 ? 10 * Math.log10(this.power[k]!) : FLOOR_DB;
    }
    this.primed = true;
  }

  reset(): void {
    this.primed = false;
    this.power.fill(0);
    this.db.fill(FLOOR_DB);
  }

  /** The strongest bin above `minHz`, refined between bins; null on silence. */
  peak(minHz = 10): SpectrumPeak | null {
    const db = this.db;
    const first = Math.max(1, Math.ceil(minHz / this.binHz));
    let k0 = -1;
    for (let k = first; k < db.length - 1; k++) if (k0 < 0 || db[k]! > db[k0]!) k0 = k;
    if (k0 < 0 || db[k0]! <= FLOOR_DB + 1) return null;
    // Parabola through the three dB values around the maximum.
    const a = db[k0 - 1]!,
      b = db[k0]!,
      c = db[k0 + 1]!;
    const d = a - 2 * b + c;
    const frac = d !== 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / d)) : 0;
    return { hz: (k0 + frac) * this.binHz, db: b - 0.25 * (a - c) * frac };
  }
}
