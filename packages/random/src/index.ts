// @tidewire/random: one seeded PRNG for the whole project (simulators, generated fixtures,
// randomised tests), so a run can be replayed from its seed. Isomorphic.
export { Prng, seeds, forSeeds, seededRandom } from './prng.ts';
