// Periodic oscillators: sine, square, saw, triangle. One double-precision phase accumulator in
// cycles ([0, 1)); the frequency is read per sample (a-rate automation is sample-accurate).
// The sine is Math.sin of the accumulated phase (no table, no recurrence drift): its error is
// the float32 rounding of the output, far below the 120 dB target. Square and saw are corrected
// with band-limited steps, the triangle with band-limited ramps (blep.ts); those three come out
// BLEP_ZC samples late, the price of a linear-phase band-limiting kernel.
import { BlepAccumulator } from './blep.ts';

export const OSC_SINE = 0;
export const OSC_SQUARE = 1;
export const OSC_SAW = 2;
export const OSC_TRIANGLE = 3;
export type OscShape = typeof OSC_SINE | typeof OSC_SQUARE | typeof OSC_SAW | typeof OSC_TRIANGLE;

const TWO_PI = 2 * Math.PI;
/** Phase increments are capped below 0.5 cycle per sample, so a sample holds at most one edge per threshold. */
const MAX_INC = 0.49;

export class Oscillator {
  shape: OscShape = OSC_SINE;
  /** Phase in cycles, [0, 1). */
  phase = 0;
  /** 1 / sampleRate, kept as a field: passing a double to a call V8 does not inline boxes it. */
  private readonly invSr: number;
  private readonly blep = new BlepAccumulator();

  constructor(sampleRate: number) {
    this.invSr = 1 / sampleRate;
  }

  /** Phase back to 0 and pending band-limiting corrections dropped. */
  reset(): void {
    this.phase = 0;
    this.blep.reset();
  }

  /**
   * Writes n samples of the unit-amplitude waveform into out. freq holds one value per sample
   * or a single value for the whole block (Web Audio's constant-parameter optimisation).
   */
  render(out: Float64Array, n: number, freq: Float32Array): void {
    const fs = freq.length > 1 ? 1 : 0;
    switch (this.shape) {
      case OSC_SINE:
        this.renderSine(out, n, freq, fs);
        break;
      case OSC_SQUARE:
        this.renderSquare(out, n, freq, fs);
        break;
      case OSC_SAW:
        this.renderSaw(out, n, freq, fs);
        break;
      default:
        this.renderTriangle(out, n, freq, fs);
        break;
    }
  }

  private renderSine(out: Float64Array, n: number, freq: Float32Array, fs: number): void {
    const invSr = this.invSr;
    let p = this.phase;
    for (let i = 0; i < n; i++) {
      out[i] = Math.sin(TWO_PI * p);
      const f = freq[i * fs];
      // NaN and negative frequencies hold the phase (f > 0 is false for NaN).
      p += f > 0 ? Math.min(0.5, f * invSr) : 0 * f;
      if (p >= 1) p -= 1;
    }
    this.phase = p;
  }

  // The BLEP shapes advance first, then emit: an edge found between the previous and the new
  // phase lies `frac` samples before the sample being emitted, whose naive value is past it.

  private renderSaw(out: Float64Array, n: number, freq: Float32Array, fs: number): void {
    const invSr = this.invSr;
    const blep = this.blep;
    let p = this.phase;
    for (let i = 0; i < n; i++) {
      const inc = incAt(freq[i * fs] * invSr);
      const prev = p;
      p += inc;
      // The saw is 0 at phase 0 and jumps from +1 to -1 at phase 0.5.
      if (prev < 0.5 && p >= 0.5) {
        blep.at = i;
        blep.frac = (p - 0.5) / inc;
        blep.addStep(-2);
      }
      if (p >= 1) p -= 1;
      out[i] = p < 0.5 ? 2 * p : 2 * p - 2;
    }
    blep.finish(out, n);
    this.phase = p;
  }

  private renderSquare(out: Float64Array, n: number, freq: Float32Array, fs: number): void {
    const invSr = this.invSr;
    const blep = this.blep;
    let p = this.phase;
    for (let i = 0; i < n; i++) {
      const inc = incAt(freq[i * fs] * invSr);
      const prev = p;
      p += inc;
      blep.at = i;
      if (prev < 0.5 && p >= 0.5) {
        blep.frac = (p - 0.5) / inc;
        blep.addStep(-2);
      }
      if (p >= 1) {
        p -= 1;
        blep.frac = p / inc;
        blep.addStep(2);
        // With inc close to 0.5 the next half-cycle edge can fall in the same sample.
        if (p >= 0.5) {
          blep.frac = (p - 0.5) / inc;
          blep.addStep(-2);
        }
      }
      out[i] = p < 0.5 ? 1 : -1;
    }
    blep.finish(out, n);
    this.phase = p;
  }

  private renderTriangle(out: Float64Array, n: number, freq: Float32Array, fs: number): void {
    const invSr = this.invSr;
    const blep = this.blep;
    let p = this.phase;
    for (let i = 0; i < n; i++) {
      const inc = incAt(freq[i * fs] * invSr);
      const prev = p;
      p += inc;
      blep.at = i;
      // Rises from 0 at phase 0 to +1 at 0.25, falls to -1 at 0.75: the slope (per sample)
      // flips between +4·inc and -4·inc at those two corners.
      blep.slopeScale = 8 * inc;
      if (prev < 0.25 && p >= 0.25) {
        blep.frac = (p - 0.25) / inc;
        blep.addRamp(-1);
      }
      if (prev < 0.75 && p >= 0.75) {
        blep.frac = (p - 0.75) / inc;
        blep.addRamp(1);
      }
      if (p >= 1) {
        p -= 1;
        if (p >= 0.25) {
          blep.frac = (p - 0.25) / inc;
          blep.addRamp(-1);
        }
      }
      // The naive triangle, inlined (a helper returning a double could box it).
      out[i] = p < 0.25 ? 4 * p : p < 0.75 ? 2 - 4 * p : 4 * p - 4;
    }
    blep.finish(out, n);
    this.phase = p;
  }
}

// NaN and negative frequencies stop the oscillator instead of running it backwards; a tiny
// floor keeps the edge-offset divisions finite. (Tiny and returns a double: V8 inlines it, and
// the allocation test would notice if it stopped doing so.)
function incAt(inc: number): number {
  return inc > 1e-12 ? Math.min(MAX_INC, inc) : 1e-12;
}
