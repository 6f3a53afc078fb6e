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

/** ln(10) / 20: a dB value times this is the natural log of its gain. */
const DB_TO_LN = Math.LN10 / 20;
/** 10 / ln(10): the natural log of a power times this is its level in dB. */
const POW_TO_DB = 10 / Math.LN10;

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
    buf: Float64Array,
    n: number,
    threshold: Float32Array,
    ratio: Float32Array,
    knee: Float32Array,
    attack: Float32Array,
    release: Float32Array,
    makeup: Float32Array,
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
    // Levels are compared as power (x² or the mean square), so the detector needs no sqrt, and
    // 10·log10(power) = 20·log10(level). With threshold and knee constant over the block, a
    // sample whose power is below the knee's lower edge has target 0 without any log; and while
    // the gain change is 0 and makeup constant, the gain is one number for the block. Per-sample
    // log10/pow cost most of the chain's budget before (Math.exp is also cheaper than Math.pow).
    let floor2 = -1;
    if (ts === 0 && ks === 0) floor2 = Math.pow(10, (threshold[0] - Math.max(0, knee[0]) / 2) * 0.1);
    const makeupConst = ms === 0 ? Math.exp(makeup[0] * DB_TO_LN) : 0;
    for (let i = 0; i < n; i++) {
      const x = buf[i];
      m2 = rc * m2 + (1 - rc) * x * x;
      const power = wRms * m2 + (1 - wRms) * x * x;
      let target = 0;
      if (!(power < floor2)) {
        const xdb = POW_TO_DB * Math.log(power > 1e-20 ? power : 1e-20);
        const r = Math.max(1, ratio[i * rs]);
        const kn = knee[i * ks];
        const over = xdb - threshold[i * ts];
        target = (1 / r - 1) * Math.max(0, over);
        if (kn > 0 && 2 * Math.abs(over) <= kn) {
          const q = over + kn / 2;
          target = ((1 / r - 1) * q * q) / (2 * kn);
        }
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
      const c = target < gr ? this.attackCoef : this.releaseCoef;
      gr = c * gr + (1 - c) * target;
      // A release that has decayed below a millionth of a dB is over: the gain goes back to the
      // block constant instead of an exp per sample forever.
      if (gr > -1e-6 && target === 0) gr = 0;
      buf[i] = gr === 0 && ms === 0 ? x * makeupConst : x * Math.exp((gr + makeup[i * ms]) * DB_TO_LN);
    }
    this.ms = m2 < 1e-30 ? 0 * m2 : m2;
    this.gr = gr;
  }
}
