// Feed-forward compressor in the dB domain (Giannoulis, Massberg & Reiss, "Digital Dynamic
// Range Compressor Design", JAES 2012): detector → static curve with a quadratic soft knee →
// gain smoothed with separate attack and release ("smooth decoupled" in the log domain) → makeup.

export const DETECT_RMS = 0;
export const DETECT_PEAK = 1;
/** Averaging time of the RMS detector (s). */
export const RMS_WINDOW_SECONDS = 0.01;

/** The static curve: output level (dB) for input level x (dB). */
export function compressorCurve(x: number, threshold: number, ratio: number, knee: number): number {
  const over = x - threshold;
  if (knee > 0 && 2 * Math.abs(over) <= knee) {
    const a = over + knee / 2;
    return x + ((1 / ratio - 1) * a * a) / (2 * knee);
  }
  return over > 0 ? threshold + over / ratio : x;
}

export class Compressor {
  detector = DETECT_RMS;
  private readonly sampleRate: number;
  private readonly rmsCoef: number;
  private ms = 0;
  /**
   * Smoothed gain change (dB, ≤ 0): public so the engine reads it as a field (a getter's
   * double return could be boxed when not inlined).
   */
  gr = 0;
  // Attack/release coefficients cached per parameter value: exp() only when they change.
  private attackS = -1;
  private attackCoef = 0;
  private releaseS = -1;
  private releaseCoef = 0;

  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
    this.rmsCoef = Math.exp(-1 / (RMS_WINDOW_SECONDS * sampleRate));
  }

  /** Current gain reduction in dB (≤ 0). */
  gainReduction(): number {
    return this.gr;
  }

  reset(): void {
    this.ms = 0;
    this.gr = 0;
  }

  process(
    buf: Float64Array, n: number, threshold: Float32Array, ratio: Float32Array, knee: Float32Array,
    attack: Float32Array, release: Float32Array, makeup: Float32Array,
  ): void {
    const ts = threshold.length > 1 ? 1 : 0;
    const rs = ratio.length > 1 ? 1 : 0;
    const ks = knee.length > 1 ? 1 : 0;
    const as = attack.length > 1 ? 1 : 0;
    const rls = release.length > 1 ? 1 : 0;
    const ms = makeup.length > 1 ? 1 : 0;
    // Both detectors run every sample and a weight picks one: no branch that flips with the
    // detector control (a flipping branch costs V8 deoptimisations, which allocate), and a
    // switch to RMS finds its average already warm.
    const wRms = this.detector === DETECT_RMS ? 1 : 0;
    const rc = this.rmsCoef;
    let m2 = this.ms;
    let gr = this.gr;
    for (let i = 0; i < n; i++) {
      const x = buf[i];
      m2 = rc * m2 + (1 - rc) * x * x;
      const level = wRms * Math.sqrt(m2) + (1 - wRms) * Math.abs(x);
      // Math.min/max rather than conditionals, and compressorCurve inlined by hand: both keep
      // V8 from boxing doubles (allocating) in this loop; see the note in delay.ts.
      const xdb = 20 * Math.log10(Math.max(level, 1e-10));
      const r = Math.max(1, ratio[i * rs]);
      const kn = knee[i * ks];
      const over = xdb - threshold[i * ts];
      // Gain change in dB: (1/r − 1)·overshoot above the knee, quadratic inside it.
      let target = (1 / r - 1) * Math.max(0, over);
      if (kn > 0 && 2 * Math.abs(over) <= kn) {
        const q = over + kn / 2;
        target = ((1 / r - 1) * q * q) / (2 * kn);
      }
      const a = attack[i * as];
      if (a !== this.attackS) {
        this.attackS = a;
        this.attackCoef = Math.exp(-1 / (Math.max(a, 1e-9) * this.sampleRate));
      }
      const rl = release[i * rls];
      if (rl !== this.releaseS) {
        this.releaseS = rl;
        this.releaseCoef = Math.exp(-1 / (Math.max(rl, 1e-9) * this.sampleRate));
      }
      // More reduction wanted: attack; less: release.
      const c = target < gr ? this.attackCoef : this.releaseCoef;
      gr = c * gr + (1 - c) * target;
      buf[i] = x * Math.pow(10, (gr + makeup[i * ms]) * 0.05);
    }
    this.ms = m2 < 1e-30 ? 0 * m2 : m2;
    this.gr = gr;
  }
}
