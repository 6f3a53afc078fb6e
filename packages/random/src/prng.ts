// A small seeded PRNG (sfc32). Randomised tests draw seeds with testSeed()/seeds()/forSeeds():
// from TIDEWIRE_SEED (to replay a failure) or fresh, and print them on failure.

export class Prng {
  #seed = 0;
  #a = 0;
  #b = 0;
  #c = 0;
  #d = 0;

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** The seed the sequence last (re)started from. */
  get seed(): number {
    return this.#seed;
  }

  /** Restarts the sequence from `seed`, in place: the audio thread reseeds inside process(),
   *  where constructing a generator would allocate. */
  reseed(seed: number): void {
    this.#seed = seed >>> 0;
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = this.#seed;
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

  /**
   * n uniform doubles in [lo, hi) into out[0, n): the draws of n next() calls, scaled. The state
   * stays in locals for the loop (audio-rate noise); with the default [0, 1) the values equal
   * next()'s, and [-1, 1) is exact too (a power-of-two scale).
   */
  fillUniform(out: Float64Array, n: number, lo = 0, hi = 1): void {
    const scale = (hi - lo) / 4294967296;
    let a = this.#a,
      b = this.#b,
      c = this.#c,
      d = this.#d;
    for (let i = 0; i < n; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      out[i] = lo + (t >>> 0) * scale;
    }
    this.#a = a;
    this.#b = b;
    this.#c = c;
    this.#d = d;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal (Box–Muller; two draws). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** An independent stream derived from this generator's seed and a label (e.g. one per car):
   *  the same whatever was drawn before. */
  fork(label: number): Prng {
    return new Prng(Math.imul((this.#seed ^ 0x9e3779b9) >>> 0, 2654435761) ^ Math.imul(label + 1, 0x85ebca6b));
  }

  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** The one environment variable every randomised test reads its seed from. */
export const SEED_ENV = 'TIDEWIRE_SEED';

/** TIDEWIRE_SEED as a u32, or undefined when it is not set. No Node types here (isomorphic):
 *  the environment is read only where there is one. */
function envSeed(): number | undefined {
  const fixed = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[SEED_ENV];
  return fixed === undefined || fixed === '' ? undefined : Number(fixed) >>> 0;
}

function freshSeed(): number {
  return (Math.random() * 4294967296) >>> 0;
}

/**
 * The seed of a randomised test: TIDEWIRE_SEED when set (to replay a failure), else `pinned`
 * for a test that runs one fixed seed by default, else a fresh one. Print it on failure
 * (seedHint, withSeed).
 */
export function testSeed(pinned?: number): number {
  return envSeed() ?? (pinned === undefined ? freshSeed() : pinned >>> 0);
}

/** What a failing randomised test prints: the seed and how to replay it. */
export function seedHint(seed: number): string {
  return `seed ${seed} (replay: ${SEED_ENV}=${seed})`;
}

/** The seeds a randomised test runs: TIDEWIRE_SEED=<n> replays one, otherwise `count` fresh ones. */
export function seeds(count: number): number[] {
  const fixed = envSeed();
  if (fixed !== undefined) return [fixed];
  const base = freshSeed();
  return Array.from({ length: count }, (_, i) => (base + i * 0x9e3779b1) >>> 0);
}

/** Runs body with a generator seeded by `seed`; a failure (a throw, or a rejected promise) is
 *  printed and rethrown with the seed to replay it. */
export function withSeed<T>(seed: number, body: (rng: Prng) => T): T {
  const fail = (e: unknown): never => {
    const msg = `failed with ${seedHint(seed)}`;
    console.error(msg);
    if (e instanceof Error) e.message = `${msg}: ${e.message}`;
    throw e;
  };
  let out: T;
  try {
    out = body(new Prng(seed));
  } catch (e) {
    return fail(e);
  }
  return (out instanceof Promise ? out.catch(fail) : out) as T;
}

/** Runs body once per seed; a failure is rethrown with the seed to replay it. */
export function forSeeds(count: number, body: (rng: Prng) => void): void {
  for (const seed of seeds(count)) withSeed(seed, body);
}

/** A `() => number` in [0, 1) from a seed: the shape Math.random has, for simulators and generators. */
export function seededRandom(seed: number): () => number {
  const rng = new Prng(seed);
  return () => rng.next();
}
