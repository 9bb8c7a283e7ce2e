/**
 * Seeded percentile bootstrap confidence interval (Efron & Tibshirani 1993,
 * ch. 13) for any statistic of one or more independent samples: each sample is
 * resampled with replacement on its own, the statistic is recomputed, and the
 * interval is the (1-level)/2 and (1+level)/2 type-7 quantiles of the
 * replicates. Used for the ratio of medians B/A, where no closed form exists.
 *
 * Limits: with very small samples a resample can take only a few distinct
 * medians and the percentile interval degenerates (n ≤ 3 per side: the ratio
 * of the sample extremes; n = 1: a point). compare/delta-ci.ts therefore shows
 * the interval of Δ only from n ≥ 6 per side. Read it together with the
 * Mann-Whitney p-value, not instead of it.
 */
import { median, quantileSorted } from './descriptive.js';
import { mulberry32, randomInt, type Rng } from '../util/prng.js';

export interface BootstrapCi {
  low: number;
  high: number;
  level: number;
  iterations: number;
}

export interface BootstrapOptions {
  seed: number;
  /** Confidence level, default 0.95. */
  level?: number;
  /** Number of resamples, default 2000. */
  iterations?: number;
}

export type Statistic = (samples: readonly (readonly number[])[]) => number;

function resample(values: readonly number[], rng: Rng): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[randomInt(rng, values.length)] ?? NaN;
  return out;
}

/**
 * Percentile bootstrap CI of `statistic` over `samples`; null when a sample is
 * empty or the statistic is not finite on some resample (e.g. a zero median in
 * a ratio's denominator), since the interval would then be meaningless.
 */
export function bootstrapCi(
  samples: readonly (readonly number[])[],
  statistic: Statistic,
  opts: BootstrapOptions,
): BootstrapCi | null {
  const level = opts.level ?? 0.95;
  const iterations = opts.iterations ?? 2000;
  if (samples.length === 0 || samples.some((s) => s.length === 0)) return null;
  const rng = mulberry32(opts.seed);
  const replicates = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    const value = statistic(samples.map((s) => resample(s, rng)));
    if (!Number.isFinite(value)) return null;
    replicates[i] = value;
  }
  replicates.sort((x, y) => x - y);
  return {
    low: quantileSorted(replicates, (1 - level) / 2),
    high: quantileSorted(replicates, (1 + level) / 2),
    level,
    iterations,
  };
}

/** median(second) / median(first): the B-vs-A ratio of medians. */
export const ratioOfMedians: Statistic = (samples) => {
  const [a, b] = samples;
  if (a === undefined || b === undefined) return NaN;
  return median(b) / median(a);
};
