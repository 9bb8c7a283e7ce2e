/** Seeded test data: normal variates from the project's own PRNG (Box-Muller). */
import { mulberry32, type Rng } from '../../../src/util/prng.js';

export function normal(rng: Rng, mean: number, sd: number): number {
  const u1 = 1 - rng(); // (0, 1]: log stays finite
  const u2 = rng();
  return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function normalSample(rng: Rng, n: number, mean: number, sd: number): number[] {
  return Array.from({ length: n }, () => normal(rng, mean, sd));
}

/** A fresh generator per trial so every trial is reproducible on its own. */
export function trialRng(seed: number, trial: number): Rng {
  return mulberry32(seed * 100_003 + trial);
}
