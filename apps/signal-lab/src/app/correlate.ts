// Round-trip latency by loopback: the page plays an impulse and records its input; the lag of
// the cross-correlation peak between what was sent and what came back is the latency. FFT
// correlation, so a few seconds of capture cost milliseconds. A peak that does not stand out
// (a fake or unplugged input, a room too noisy) or is not the only one (an input that beeps on its
// own) is reported as not found rather than guessed.
import { LabError } from './errors.ts';
import { fftOf, nextPowerOfTwo } from './fft.ts';

export interface DelayEstimate {
  /** Lag of the peak: recorded[i + lag] ≈ gain · reference[i]. */
  lagSamples: number;
  lagMs: number;
  /** Peak |correlation| over the RMS of the correlation: ≥ `minPeakRatio` to count as found. */
  peakRatio: number;
  /** Normalised correlation at the peak (−1..1): the sign says whether the loop inverts. */
  correlation: number;
}

/** 2^22 points (~87 s at 48 kHz) bounds the work arrays (a few tens of MB). */
export const MAX_CORRELATION_FFT = 1 << 22;

export interface DelayOptions {
  /** Largest lag searched, in samples (default: the whole capture). */
  maxLag?: number;
  /** Default 8: a clean loopback impulse scores in the hundreds, noise around 3–4. */
  minPeakRatio?: number;
  /**
   * Default 2: the peak over the largest |correlation| more than `guardMs` away from it. An echo
   * of one impulse is one event; a beep, a tone or a click train the input plays on its own (Chromium's
   * fake microphone beeps 20 ms of 400 Hz every 500 ms) scores near 1 however high it stands.
   */
  minUniqueness?: number;
  /** Default 2 ms: the spread of one echo (speaker ringing, a band-limited cable) counted as the peak. */
  guardMs?: number;
}

/** What one correlation search looked at and the strongest peak it saw, clear or not. */
export interface DelaySearch {
  /** Lags examined (0 … maxLag): the proof that the recording was searched at all. */
  lagsSearched: number;
  /** The strongest peak, whether or not it stands out; null when either signal is silent. */
  peak: DelayEstimate | null;
  /** The peak ratio a peak needs to count as found. */
  minPeakRatio: number;
  /** The peak over the largest |correlation| outside ±guard of it (Infinity when all else is 0). */
  uniqueness: number;
  /** The uniqueness a peak needs to count as found. */
  minUniqueness: number;
  /** True when `peak.peakRatio` ≥ `minPeakRatio` and `uniqueness` ≥ `minUniqueness`. */
  found: boolean;
}

/** Finds how late `reference` appears in `recorded`; null when no clear peak. */
export function findDelay(reference: ArrayLike<number>, recorded: ArrayLike<number>, sampleRate: number, options: DelayOptions = {}): DelayEstimate | null {
  const s = searchDelay(reference, recorded, sampleRate, options);
  return s.found ? s.peak : null;
}

/** The correlation search behind findDelay, reporting what it saw even when nothing stands out. */
export function searchDelay(reference: ArrayLike<number>, recorded: ArrayLike<number>, sampleRate: number, options: DelayOptions = {}): DelaySearch {
  if (reference.length < 1 || recorded.length < 1) throw new LabError('LAB_BAD_OPTION', 'empty signal');
  if (!(sampleRate > 0)) throw new LabError('LAB_BAD_OPTION', 'sample rate must be positive');
  const n = nextPowerOfTwo(reference.length + recorded.length);
  if (n > MAX_CORRELATION_FFT) throw new LabError('LAB_BAD_OPTION', `signals too long to correlate (${reference.length} + ${recorded.length} samples)`);
  const maxLag = Math.min(options.maxLag ?? recorded.length - 1, recorded.length - 1);
  const minRatio = options.minPeakRatio ?? 8;
  const minUniqueness = options.minUniqueness ?? 2;
  const guard = Math.round(((options.guardMs ?? 2) / 1000) * sampleRate);
  const ar = new Float64Array(n),
    ai = new Float64Array(n),
    br = new Float64Array(n),
    bi = new Float64Array(n);
  let ea = 0,
    eb = 0;
  for (let i = 0; i < reference.length; i++) {
    ar[i] = reference[i]!;
    ea += ar[i]! * ar[i]!;
  }
  for (let i = 0; i < recorded.length; i++) {
    br[i] = recorded[i]!;
    eb += br[i]! * br[i]!;
  }
  if (ea === 0 || eb === 0) return { lagsSearched: 0, peak: null, minPeakRatio: minRatio, uniqueness: 0, minUniqueness, found: false };
  const fft = fftOf(n);
  fft.forward(ar, ai);
  fft.forward(br, bi);
  // corr[lag] = Σ a[i]·b[i+lag]  ⇔  conj(A)·B
  for (let k = 0; k < n; k++) {
    const re = ar[k]! * br[k]! + ai[k]! * bi[k]!;
    const im = ar[k]! * bi[k]! - ai[k]! * br[k]!;
    ar[k] = re;
    ai[k] = im;
  }
  fft.inverse(ar, ai);
  let best = 0;
  let sumSq = 0;
  for (let lag = 0; lag <= maxLag; lag++) {
    const c = ar[lag]!;
    sumSq += c * c;
    if (Math.abs(c) > Math.abs(ar[best]!)) best = lag;
  }
  const rms = Math.sqrt(sumSq / (maxLag + 1));
  const top = Math.abs(ar[best]!);
  const peakRatio = rms > 0 ? top / rms : 0;
  let runnerUp = 0;
  for (let lag = 0; lag <= maxLag; lag++) {
    if (Math.abs(lag - best) > guard) runnerUp = Math.max(runnerUp, Math.abs(ar[lag]!));
  }
  const uniqueness = runnerUp > 0 ? top / runnerUp : Infinity;
  const peak = { lagSamples: best, lagMs: (best / sampleRate) * 1000, peakRatio, correlation: ar[best]! / Math.sqrt(ea * eb) };
  const found = peakRatio >= minRatio && uniqueness >= minUniqueness;
  return { lagsSearched: maxLag + 1, peak, minPeakRatio: minRatio, uniqueness, minUniqueness, found };
}
