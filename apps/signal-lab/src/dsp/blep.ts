// Band-limited steps (BLEP) and ramps (BLAMP) from a Kaiser-windowed sinc, tabulated once per
// module, plus the accumulator an oscillator adds its corrections into.
//
// Why not 2-point polyBLEP: its residual is a low-order polynomial whose spectrum still has a lot
// of energy just above Nyquist, so a 5 kHz saw at 48 kHz leaves aliases around -25 dB (the 5th
// harmonic folds to 23 kHz almost unattenuated). A windowed-sinc BLEP with ZC zero crossings each
// side pushes everything above ~0.49·fs down by the window's stop-band (~-90 dB for β = 9) at
// the cost of ZC samples of latency, which a test bench can afford. The kernel is linear-phase
// (symmetric), so the corrections reach ZC samples into the "past": the oscillator output is the
// naive waveform delayed by ZC samples plus the corrections (see BlepAccumulator).

/** Zero crossings of the sinc on each side = latency in samples. */
export const BLEP_ZC = 32;
/** Table points per sample. */
export const BLEP_OVERSAMPLE = 512;
/** Cutoff of the band-limiting kernel as a fraction of the sample rate (-6 dB point). */
export const BLEP_CUTOFF = 0.455;
/** Kaiser window β: stop-band around -90 dB. */
export const BLEP_KAISER_BETA = 9;

const SPAN = 2 * BLEP_ZC;
const TABLE_LEN = SPAN * BLEP_OVERSAMPLE + 2;

function besselI0(x: number): number {
  // The power series converges fast for the β used here; stop when terms stop mattering.
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * step[i] = band-limited unit step h(t) and ramp[i] = ∫h (band-limited unit ramp) at
 * t = i / OVERSAMPLE - ZC, for t in [-ZC, ZC] (plus one guard point for interpolation).
 */
function buildTables(): { step: Float64Array; ramp: Float64Array } {
  const kernel = new Float64Array(TABLE_LEN);
  const i0beta = besselI0(BLEP_KAISER_BETA);
  const wc = 2 * BLEP_CUTOFF;
  for (let i = 0; i < TABLE_LEN; i++) {
    const t = i / BLEP_OVERSAMPLE - BLEP_ZC;
    const r = t / BLEP_ZC;
    const w = Math.abs(r) >= 1 ? 0 : besselI0(BLEP_KAISER_BETA * Math.sqrt(1 - r * r)) / i0beta;
    const x = Math.PI * wc * t;
    kernel[i] = wc * (x === 0 ? 1 : Math.sin(x) / x) * w;
  }
  // Trapezoid integration on the fine grid, normalised so the step ends exactly at 1 (the
  // kernel's area differs from 1 by the window's truncation).
  const step = new Float64Array(TABLE_LEN);
  const dt = 1 / BLEP_OVERSAMPLE;
  for (let i = 1; i < TABLE_LEN; i++) step[i] = step[i - 1] + 0.5 * (kernel[i - 1] + kernel[i]) * dt;
  const total = step[SPAN * BLEP_OVERSAMPLE];
  for (let i = 0; i < TABLE_LEN; i++) step[i] /= total;
  // Symmetrise what floating-point integration left uneven: h(t) + h(-t) = 1 exactly, which
  // makes the residual odd and the ramp residual vanish at +ZC.
  const mid = BLEP_ZC * BLEP_OVERSAMPLE;
  for (let k = 0; k <= mid; k++) {
    const a = step[mid - k];
    const b = step[mid + k];
    const d = (a + b - 1) / 2;
    step[mid - k] = a - d;
    step[mid + k] = b - d;
  }
  step[TABLE_LEN - 1] = 1;
  const ramp = new Float64Array(TABLE_LEN);
  for (let i = 1; i < TABLE_LEN; i++) ramp[i] = ramp[i - 1] + 0.5 * (step[i - 1] + step[i]) * dt;
  // ∫h over [-ZC, t] equals t for t ≥ ZC when h is symmetric; pin the tail exactly.
  ramp[TABLE_LEN - 1] = BLEP_ZC + dt;
  return { step, ramp };
}

/**
 * The tables, built by the first accumulator rather than when the module loads: the page's main
 * thread imports this module (offline renders, the bench) but rarely builds an oscillator, and
 * building them costs tens of milliseconds there, in the page's first task.
 */
let tables: { step: Float64Array; ramp: Float64Array } | null = null;

function blepTables(): { step: Float64Array; ramp: Float64Array } {
  return (tables ??= buildTables());
}

/** Whether the tables have been built (tests: importing the module must not build them). */
export function blepTablesBuilt(): boolean {
  return tables !== null;
}

/** Size of the accumulator ring: a power of two holding a block plus the kernel span. */
const ACC_SIZE = 256;
const ACC_MASK = ACC_SIZE - 1;

/**
 * Ring of pending output samples, used a block at a time. The oscillator writes its naive
 * waveform into the block and, for every discontinuity, sets `at` (the sample it precedes),
 * `frac` and calls add*(); finish() then delays the naive samples by ZC, adds the corrections
 * and writes the finished block in place. Allocation-free after construction.
 *
 * Why fields rather than arguments and return values: V8 boxes (allocates) a double passed to
 * or returned from a call it does not inline, and whether it inlines depends on the caller's
 * size and on timing. Typed-array and field stores never allocate.
 */
export class BlepAccumulator {
  private readonly acc = new Float64Array(ACC_SIZE);
  private readonly tables = blepTables();
  private pos = 0;
  /** Index in the current block of the sample the next discontinuity precedes. */
  at = 0;
  /** How far before that sample the discontinuity lies, in samples, [0, 1). */
  frac = 0.5;
  /** Multiplies addRamp's slope argument (the oscillator's 8·increment). */
  slopeScale = 0.5;

  reset(): void {
    this.acc.fill(0);
    this.pos = 0;
  }

  /** A jump of `height` (an integer: ±2 here); the naive waveform holds the new value at `at`. */
  addStep(height: number): void {
    const acc = this.acc;
    const STEP = this.tables.step;
    // Rounding can put an edge's offset a hair outside [0, 1); the table has no room beyond.
    const x = Math.min(1, Math.max(0, this.frac)) * BLEP_OVERSAMPLE;
    const k = Math.floor(x);
    const f = x - k;
    const base = this.pos + this.at;
    // Output j (0 ≤ j < 2·ZC) after `at` sits at t = j + frac − ZC from the discontinuity.
    for (let j = 0; j < SPAN; j++) {
      const i = j * BLEP_OVERSAMPLE + k;
      const h = STEP[i] + (STEP[i + 1] - STEP[i]) * f;
      const u = j >= BLEP_ZC ? 1 : 0;
      acc[(base + j) & ACC_MASK] += height * (h - u);
    }
  }

  /** A change of slope by `slope` × slopeScale per sample, placed like addStep's jump. */
  addRamp(slope: number): void {
    const acc = this.acc;
    const RAMP = this.tables.ramp;
    const frac = Math.min(1, Math.max(0, this.frac));
    const scale = slope * this.slopeScale;
    const x = frac * BLEP_OVERSAMPLE;
    const k = Math.floor(x);
    const f = x - k;
    const base = this.pos + this.at;
    for (let j = 0; j < SPAN; j++) {
      const i = j * BLEP_OVERSAMPLE + k;
      const r = RAMP[i] + (RAMP[i + 1] - RAMP[i]) * f;
      const t = j + frac - BLEP_ZC;
      acc[(base + j) & ACC_MASK] += scale * (r - Math.max(0, t));
    }
  }

  /** Turns the block's naive samples (in buf) into the finished, ZC-late band-limited ones. */
  finish(buf: Float64Array, n: number): void {
    const acc = this.acc;
    const pos = this.pos;
    for (let i = 0; i < n; i++) acc[(pos + i + BLEP_ZC) & ACC_MASK] += buf[i];
    for (let i = 0; i < n; i++) {
      const p = (pos + i) & ACC_MASK;
      buf[i] = acc[p];
      acc[p] = 0;
    }
    this.pos = (pos + n) & ACC_MASK;
  }
}
