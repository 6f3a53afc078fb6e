// Seeded randomness: every random choice of the generator draws from one of these, so a seed
// fixes the output byte for byte. mulberry32: tiny, fast, and good enough for lap-time noise.

export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** An independent stream derived from this seed and a label (e.g. one per car). */
  fork(label: number): Rng {
    return new Rng(Math.imul((this.#state ^ 0x9e3779b9) >>> 0, 2654435761) ^ Math.imul(label + 1, 0x85ebca6b));
  }
}
