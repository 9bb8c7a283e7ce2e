/**
 * Exact null distribution of the Mann-Whitney U statistic given the ties.
 *
 * With ties, U comes from mid-ranks. The permutation test keeps the pooled
 * values — and so the mid-ranks — as they are and treats every one of the
 * C(N, n1) ways to choose which n1 of them form the first sample as equally
 * likely under H0. That distribution of U depends on the tie pattern: it has
 * fewer, uneven steps than the distribution without ties and is in general
 * not symmetric. (Klotz 1966, Cheung & Klotz 1997; benchstat's UDist with
 * ties computes the same distribution by another recursion.)
 *
 * Counting by generating function over the groups of equal values: group k
 * (size t_k, a value without ties is a group of 1) has mid-rank r_k; a split
 * takes j_k of its values into the first sample, in C(t_k, j_k) ways, adding
 * j_k·r_k to the rank sum. A dynamic program over the groups counts the
 * splits by (values taken, rank sum), in doubled ranks 2·r_k, which are
 * integers. Every count is a whole number no larger than C(N, n1); at the
 * sizes this is used for (≤ 25 a side, so ≤ C(50, 25) ≈ 1.26·10¹⁴ < 2⁵³) all
 * counts are exact in a double and a p-value is one division of two exact
 * integers. Cost ≈ N·n1·(range of rank sums): about 2.5 M steps at 25 vs 25.
 */
import { choose } from './mwu-exact.js';

export interface TiedUDistribution {
  /** counts[i]: the number of splits with 2U = i, for i = 0..2·n1·n2 (whole numbers). */
  counts: Float64Array;
  /** C(n1+n2, n1): the number of splits. */
  total: number;
}

/**
 * Counts of 2U over all splits of a pooled sample whose groups of equal
 * values have the sizes `groupSizes` (ascending by value, summing to N) into
 * a first sample of n1 and a second of N − n1.
 */
export function tiedUDistribution(n1: number, groupSizes: readonly number[]): TiedUDistribution {
  const total = groupSizes.reduce((s, t) => s + t, 0);
  const n2 = total - n1;
  // Largest doubled rank sum: the n1 top ranks N−n1+1 .. N, doubled.
  const maxSum2 = n1 * (2 * total - n1 + 1);
  const bySize = Array.from({ length: n1 + 1 }, () => new Float64Array(maxSum2 + 1));
  (bySize[0] as Float64Array)[0] = 1;
  let before = 0; // values in the groups already counted
  for (const t of groupSizes) {
    const rank2 = 2 * before + t + 1; // doubled mid-rank of ranks before+1 .. before+t
    const ways = Array.from({ length: t + 1 }, (_, j) => choose(t, j));
    // Descending sizes: bySize[c] is read before anything of this group is added to it.
    for (let c = Math.min(n1, before); c >= 0; c--) {
      const from = bySize[c] as Float64Array;
      const most = Math.min(t, n1 - c);
      for (let s = 0; s <= maxSum2; s++) {
        const splits = from[s] ?? 0;
        if (splits === 0) continue;
        for (let j = 1; j <= most; j++) {
          const to = bySize[c + j] as Float64Array;
          to[s + j * rank2] = (to[s + j * rank2] ?? 0) + splits * (ways[j] ?? 0);
        }
      }
    }
    before += t;
  }
  // 2U = 2R − n1(n1+1) for the rank sum R of the first sample.
  const counts = (bySize[n1] as Float64Array).slice(n1 * (n1 + 1), n1 * (n1 + 1) + 2 * n1 * n2 + 1);
  return { counts, total: choose(total, n1) };
}

/**
 * Two-sided p-value of an observed U: 2·min(P(U ≤ u), P(U ≥ u)), capped at 1 —
 * the doubled smaller tail, as for the exact test without ties (where the
 * distribution is symmetric and this is R's wilcox.test p-value) and as
 * SciPy's permutation_test(alternative='two-sided'). It is never below
 * 2/C(n1+n2, n1), the floor the sample-size rule works with.
 */
export function tiedTwoSidedP(dist: TiedUDistribution, u: number): number {
  const at = Math.round(2 * u);
  let lower = 0;
  let upper = 0;
  dist.counts.forEach((count, i) => {
    if (i <= at) lower += count;
    if (i >= at) upper += count;
  });
  return Math.min(1, (2 * Math.min(lower, upper)) / dist.total);
}

/** Smallest p `tiedTwoSidedP` can give under this tie pattern: the doubled rarer of the two extreme U values. */
export function tiedMinP(dist: TiedUDistribution): number {
  const first = dist.counts.findIndex((c) => c > 0);
  let last = dist.counts.length - 1;
  while (last > first && dist.counts[last] === 0) last--;
  const rarer = Math.min(dist.counts[first] ?? 0, dist.counts[last] ?? 0);
  return Math.min(1, (2 * rarer) / dist.total);
}
