// Feedback delay with a fractional read (4-point cubic Hermite) on a line allocated once for
// the longest delay. The delay time glides (20 ms one-pole) so automating it bends pitch the way
// a tape delay does instead of clicking.

const SMOOTH_SECONDS = 0.02;
/** The Hermite read needs two samples after the read point that are already written. */
export const MIN_DELAY_SAMPLES = 3;

export class Delay {
  private readonly sampleRate: number;
  private readonly line: Float64Array;
  private readonly mask: number;
  private readonly maxSamples: number;
  private readonly k: number;
  private w = 0;
  /** Smoothed delay in samples; NaN until the first block primes it. */
  private d = NaN;

  constructor(sampleRate: number, maxSeconds: number) {
    this.sampleRate = sampleRate;
    this.maxSamples = Math.ceil(maxSeconds * sampleRate) + MIN_DELAY_SAMPLES;
    let size = 1;
    while (size < this.maxSamples + 4) size *= 2;
    this.line = new Float64Array(size);
    this.mask = size - 1;
    this.k = 1 - Math.exp(-1 / (SMOOTH_SECONDS * sampleRate));
  }

  reset(): void {
    this.line.fill(0);
    this.d = NaN;
  }

  /** out = (1 − mix)·x + mix·line(t − time); the line takes x + feedback·line(t − time). */
  process(buf: Float64Array, n: number, time: Float32Array, feedback: Float32Array, mix: Float32Array): void {
    const ts = time.length > 1 ? 1 : 0;
    const fbs = feedback.length > 1 ? 1 : 0;
    const ms = mix.length > 1 ? 1 : 0;
    const line = this.line;
    const mask = this.mask;
    const sr = this.sampleRate;
    const max = this.maxSamples;
    const k = this.k;
    let w = this.w;
    let d = this.d;
    // Clamps use Math.min/max, not `a > b ? a : b`: a conditional that mixes small-integer
    // constants with doubles can make V8 keep the result as a boxed (allocated) number.
    if (d !== d) d = Math.min(max, Math.max(MIN_DELAY_SAMPLES, time[0] * sr));
    for (let i = 0; i < n; i++) {
      const target = Math.min(max, Math.max(MIN_DELAY_SAMPLES, time[i * ts] * sr));
      if (target !== d) {
        d += (target - d) * k;
        if (Math.abs(target - d) < 1e-6) d = target;
      }
      const pos = w - d;
      const ip = Math.floor(pos);
      const t = pos - ip;
      const xm1 = line[(ip - 1) & mask];
      const x0 = line[ip & mask];
      const x1 = line[(ip + 1) & mask];
      const x2 = line[(ip + 2) & mask];
      const c1 = 0.5 * (x1 - xm1);
      const c2 = xm1 - 2.5 * x0 + 2 * x1 - 0.5 * x2;
      const c3 = 0.5 * (x2 - xm1) + 1.5 * (x0 - x1);
      const wet = ((c3 * t + c2) * t + c1) * t + x0;
      const fb = feedback[i * fbs];
      const m = mix[i * ms];
      const x = buf[i];
      const v = x + Math.min(0.999, Math.max(-0.999, fb)) * wet;
      // Flush what would decay into subnormals (slow) in a silent feedback loop.
      line[w & mask] = Math.abs(v) < 1e-30 ? 0 * v : v;
      buf[i] = x + (wet - x) * Math.min(1, Math.max(0, m));
      w = (w + 1) & mask;
    }
    this.w = w;
    this.d = d;
  }
}
