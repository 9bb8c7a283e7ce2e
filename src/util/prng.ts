/**
 * Seeded pseudo-random numbers, so every resampling result and every shuffled
 * run order is reproducible from its seed (no Math.random in the statistics or
 * the plan).
 *
 * mulberry32 (Tommy Ettinger, public domain): 32-bit state, full 2^32 period,
 * passes gjrand/PractRand at the sizes used here (a few thousand resamples).
 * Not for cryptography.
 */

export type Rng = () => number;

/** A generator of floats in [0, 1) seeded by a 32-bit integer. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** A shuffled copy (Fisher-Yates): every order equally likely, reproducible from the generator's seed. */
export function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * A seed for one named stream (e.g. one cell), derived from a base seed with
 * FNV-1a over the name and a murmur3 finalizer. Results for a cell therefore do
 * not depend on the order in which cells are processed.
 */
export function deriveSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
