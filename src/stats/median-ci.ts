/**
 * Distribution-free confidence interval for the median from order statistics.
 *
 * For a continuous distribution, the number of observations below the true
 * median is Binomial(n, 1/2). The interval [x(k), x(n-k+1)] (1-based order
 * statistics) therefore covers the median with probability exactly
 *   1 - 2·P(B ≤ k - 1),  B ~ Binomial(n, 1/2)
 * (Conover, Practical Nonparametric Statistics, 3rd ed., §3.2). Because that
 * coverage moves in discrete steps we choose the largest k — the narrowest
 * interval — whose coverage is still ≥ the requested level, and report the
 * exact coverage as `achievedLevel` (always ≥ `level`).
 *
 * The widest interval [x(1), x(n)] covers with 1 - 2·0.5^n, so a 95 % interval
 * needs n ≥ 6 (n = 5 gives only 93.75 %, n = 6 gives 96.875 %).
 */
import { binomialHalfCdf } from './binomial.js';
import { sorted } from './descriptive.js';

export interface MedianCi {
  low: number;
  high: number;
  /** Requested confidence level, e.g. 0.95. */
  level: number;
  /** Exact coverage of the chosen order statistics (≥ level). */
  achievedLevel: number;
  /** 1-based ranks of the order statistics used. */
  lowerRank: number;
  upperRank: number;
}

export type MedianCiResult = { ci: MedianCi; reason: null } | { ci: null; reason: string };

/** Exact coverage of [x(k), x(n-k+1)]. */
export function orderStatisticCoverage(n: number, k: number): number {
  return 1 - 2 * binomialHalfCdf(k - 1, n);
}

/** Smallest n whose widest interval [x(1), x(n)] reaches `level`. */
export function minSamplesForMedianCi(level = 0.95): number {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  let n = 1;
  while (orderStatisticCoverage(n, 1) < level) n++;
  return n;
}

export function medianCi(values: readonly number[], level = 0.95): MedianCiResult {
  const needed = minSamplesForMedianCi(level);
  const n = values.length;
  if (n < needed) {
    const pct = +(level * 100).toFixed(4);
    return {
      ci: null,
      reason: `a ${pct} % order-statistic interval for the median needs n ≥ ${needed}, have ${n}`,
    };
  }
  let k = 1;
  while (k + 1 <= n - k && orderStatisticCoverage(n, k + 1) >= level) k++;
  const xs = sorted(values);
  const upperRank = n - k + 1;
  return {
    ci: {
      low: xs[k - 1] ?? NaN,
      high: xs[upperRank - 1] ?? NaN,
      level,
      achievedLevel: orderStatisticCoverage(n, k),
      lowerRank: k,
      upperRank,
    },
    reason: null,
  };
}
