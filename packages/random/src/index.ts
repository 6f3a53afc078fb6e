// @tidewire/random: one seeded PRNG for the whole project (simulators, generated fixtures,
// randomised tests), so a run can be replayed from its seed. Isomorphic.
export { Prng, SEED_ENV, forSeeds, seedHint, seededRandom, seeds, testSeed, withSeed } from './prng.ts';
