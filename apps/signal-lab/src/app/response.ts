// Frequency response of the chain from a rendered sweep: the recording is deconvolved with the
// sweep's inverse (the DSP core's deconvolveSweep), which puts the linear impulse response at
// index 0 and the harmonic distortion products at the end of the circular result; the linear
// part is windowed (a little of the end kept for the inverse's pre-ringing), transformed, and
// read on a log-frequency grid with fractional-octave smoothing. The inverse is exact inside
// [f1, f2], so a dry chain reads 0 dB there; dividing by the sweep's amplitude makes the level
// setting drop out.
import { deconvolveSweep, type SweepDesign } from '../dsp/sweep.ts';
import { LabError } from './errors.ts';
import { fftOf, nextPowerOfTwo } from './fft.ts';

export interface ResponseOptions {
  /** Peak amplitude the sweep was played at (10^(level/20)). */
  amplitude?: number;
  /** Samples of impulse response kept (default 2^15, capped at what is free of harmonics). */
  irLength?: number;
  /** Plot points between f1 and f2 (default 256). */
  points?: number;
  /** Smoothing width in octaves (default 1/24; 0 reads single bins). */
  smoothing?: number;
}

export interface FrequencyResponse {
  hz: Float64Array;
  db: Float64Array;
  /** The windowed linear impulse response (pre-ringing first). */
  ir: Float64Array;
  /** Samples of pre-ringing at the start of `ir`. */
  pre: number;
}

const PRE = 256;
const MAX_POINTS = 4096;

export function frequencyResponse(recorded: ArrayLike<number>, design: SweepDesign, options: ResponseOptions = {}): FrequencyResponse {
  const amplitude = options.amplitude ?? 1;
  const points = options.points ?? 256;
  const smoothing = options.smoothing ?? 1 / 24;
  if (!(amplitude > 0)) throw new LabError('LAB_BAD_OPTION', 'amplitude must be positive');
  if (!Number.isInteger(points) || points < 2 || points > MAX_POINTS) throw new LabError('LAB_BAD_OPTION', `points must be an integer 2–${MAX_POINTS}`);
  if (!(smoothing >= 0 && smoothing <= 1)) throw new LabError('LAB_BAD_OPTION', 'smoothing must be 0–1 octave');
  if (recorded.length < design.samples)
    throw new LabError('LAB_BAD_OPTION', `the recording (${recorded.length}) is shorter than the sweep (${design.samples})`);
  const full = deconvolveSweep(recorded, design);
  const size = full.length;
  // The 2nd harmonic's response starts L·ln2 before the end: stop well short of it.
  const harmonicStart = size - Math.ceil(design.rate * Math.LN2 * design.sampleRate);
  const room = Math.max(256, harmonicStart - PRE - 64);
  const irLength = Math.min(options.irLength ?? 1 << 15, room);
  if (!Number.isInteger(irLength) || irLength < 64) throw new LabError('LAB_BAD_OPTION', 'irLength must be an integer ≥ 64');
  const n = nextPowerOfTwo(PRE + irLength);
  const ir = new Float64Array(PRE + irLength);
  for (let i = 0; i < PRE; i++) {
    // Half-Hann fade-in over the pre-ringing.
    const w = 0.5 - 0.5 * Math.cos((Math.PI * i) / PRE);
    ir[i] = full[size - PRE + i]! * w;
  }
  const fade = Math.max(1, Math.floor(irLength / 10));
  for (let i = 0; i < irLength; i++) {
    const w = i < irLength - fade ? 1 : 0.5 + 0.5 * Math.cos((Math.PI * (i - (irLength - fade))) / fade);
    ir[PRE + i] = full[i]! * w;
  }
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  re.set(ir);
  fftOf(n).forward(re, im);
  const binHz = design.sampleRate / n;
  const power = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) power[k] = (re[k]! * re[k]! + im[k]! * im[k]!) / (amplitude * amplitude);

  const hz = new Float64Array(points);
  const db = new Float64Array(points);
  const lo = Math.log(design.f1),
    hi = Math.log(design.f2);
  const half = (smoothing / 2) * Math.LN2;
  for (let i = 0; i < points; i++) {
    const lf = lo + ((hi - lo) * i) / (points - 1);
    const f = Math.exp(lf);
    const kLo = Math.max(0, Math.floor(Math.exp(lf - half) / binHz));
    const kHi = Math.min(n / 2, Math.max(kLo, Math.ceil(Math.exp(lf + half) / binHz)));
    let s = 0;
    let c = 0;
    if (smoothing === 0 || kHi - kLo < 2) {
      // Narrower than a bin: interpolate between the two bins around f.
      const x = f / binHz;
      const k = Math.min(n / 2 - 1, Math.floor(x));
      const t = x - k;
      s = power[k]! * (1 - t) + power[k + 1]! * t;
      c = 1;
    } else {
      for (let k = kLo; k <= kHi; k++) {
        s += power[k]!;
        c++;
      }
    }
    hz[i] = f;
    db[i] = 10 * Math.log10(Math.max(s / c, 1e-30));
  }
  return { hz, db, ir, pre: PRE };
}
