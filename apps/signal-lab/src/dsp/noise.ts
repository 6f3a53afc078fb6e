// White and pink noise, replayable from a seed.

/**
 * The project's PRNG (@tidewire/random's sfc32, same seeding, same sequence: a test checks it)
 * with one addition the audio thread needs: reseeding in place. A SEED control arrives inside
 * process(), where constructing a new generator would allocate.
 */
export class Sfc32 {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number) {
    this.reseed(seed);
  }

  reseed(seed: number): void {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  /** Uniform doubles in [-1, 1) into out[0, n): the state stays in locals for the loop. */
  fill(out: Float64Array, n: number): void {
    let a = this.a, b = this.b, c = this.c, d = this.d;
    for (let i = 0; i < n; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      out[i] = (t >>> 0) / 2147483648 - 1;
    }
    this.a = a; this.b = b; this.c = c; this.d = d;
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
}

/** Uniform white noise in [-1, 1): RMS 1/√3. */
export class WhiteNoise {
  private readonly rng: Sfc32;

  constructor(seed: number) {
    this.rng = new Sfc32(seed);
  }

  reseed(seed: number): void {
    this.rng.reseed(seed);
  }

  render(out: Float64Array, n: number): void {
    this.rng.fill(out, n);
  }
}

// Paul Kellet's refined pink filter (the "instrumentation grade" one, ±0.05 dB above 9.2 Hz at
// 44.1 kHz): six leaky integrators plus a direct path, summed.
const K_POLE = [0.99886, 0.99332, 0.969, 0.8665, 0.55, -0.7616] as const;
const K_GAIN = [0.0555179, 0.0750759, 0.153852, 0.3104856, 0.5329522, -0.016898] as const;
const K_DIRECT = 0.5362;
const K_DELAYED = 0.115926;

/** RMS gain of the filter for white input, from its impulse response (computed once). */
function kelletRmsGain(): number {
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
  let energy = 0;
  for (let i = 0; i < 1 << 17; i++) {
    const w = i === 0 ? 1 : 0;
    b0 = K_POLE[0] * b0 + w * K_GAIN[0];
    b1 = K_POLE[1] * b1 + w * K_GAIN[1];
    b2 = K_POLE[2] * b2 + w * K_GAIN[2];
    b3 = K_POLE[3] * b3 + w * K_GAIN[3];
    b4 = K_POLE[4] * b4 + w * K_GAIN[4];
    b5 = K_POLE[5] * b5 + w * K_GAIN[5];
    const y = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * K_DIRECT;
    b6 = w * K_DELAYED;
    energy += y * y;
  }
  return Math.sqrt(energy);
}

/** Scales the filter so pink noise has the same RMS as the white noise it is made from. */
const PINK_NORM = 1 / kelletRmsGain();

/** Pink noise (-3.01 dB/octave) with the RMS of its white source, 1/√3. */
export class PinkNoise {
  private readonly white: WhiteNoise;
  private b0 = 0;
  private b1 = 0;
  private b2 = 0;
  private b3 = 0;
  private b4 = 0;
  private b5 = 0;
  private b6 = 0;

  constructor(seed: number) {
    this.white = new WhiteNoise(seed);
  }

  reseed(seed: number): void {
    this.white.reseed(seed);
    this.b0 = this.b1 = this.b2 = this.b3 = this.b4 = this.b5 = this.b6 = 0;
  }

  /** Filters white noise in place: no per-sample call hands a double across (see blep.ts). */
  render(out: Float64Array, n: number): void {
    this.white.render(out, n);
    let b0 = this.b0, b1 = this.b1, b2 = this.b2, b3 = this.b3, b4 = this.b4, b5 = this.b5, b6 = this.b6;
    for (let i = 0; i < n; i++) {
      const w = out[i];
      b0 = 0.99886 * b0 + w * 0.0555179;
      b1 = 0.99332 * b1 + w * 0.0750759;
      b2 = 0.969 * b2 + w * 0.153852;
      b3 = 0.8665 * b3 + w * 0.3104856;
      b4 = 0.55 * b4 + w * 0.5329522;
      b5 = -0.7616 * b5 - w * 0.016898;
      out[i] = (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * K_DIRECT) * PINK_NORM;
      b6 = w * K_DELAYED;
    }
    this.b0 = b0; this.b1 = b1; this.b2 = b2; this.b3 = b3; this.b4 = b4; this.b5 = b5; this.b6 = b6;
  }
}
