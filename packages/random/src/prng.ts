// A small seeded PRNG (sfc32). Randomised tests draw seeds with seeds()/forSeeds(): from
// TIDEWIRE_SEED (to replay a failure) or fresh, and print them on failure.

export class Prng {
  readonly seed: number;
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = this.seed;
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** The seeds a randomised test runs: TIDEWIRE_SEED=<n> replays one, otherwise `count` fresh ones. */
export function seeds(count: number): number[] {
  // No Node types here (isomorphic): read the environment only where there is one.
  const fixed = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.TIDEWIRE_SEED;
  if (fixed !== undefined && fixed !== '') return [Number(fixed) >>> 0];
  const base = (Math.random() * 4294967296) >>> 0;
  return Array.from({ length: count }, (_, i) => (base + i * 0x9e3779b1) >>> 0);
}

/** Runs body once per seed; a failure is rethrown with the seed to replay it. */
export function forSeeds(count: number, body: (rng: Prng) => void): void {
  for (const seed of seeds(count)) {
    try {
      body(new Prng(seed));
    } catch (e) {
      const msg = `failed with seed ${seed} (replay: TIDEWIRE_SEED=${seed})`;
      console.error(msg);
      if (e instanceof Error) e.message = `${msg}: ${e.message}`;
      throw e;
    }
  }
}

/** A `() => number` in [0, 1) from a seed: the shape Math.random has, for simulators and generators. */
export function seededRandom(seed: number): () => number {
  const rng = new Prng(seed);
  return () => rng.next();
}
