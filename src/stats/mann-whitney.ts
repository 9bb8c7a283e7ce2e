/**
 * Two-sided Mann-Whitney U test (Wilcoxon rank-sum), the test benchstat uses:
 * it asks whether a value from one sample tends to be larger than a value from
 * the other, assumes nothing about the shape of the distributions and is not
 * thrown by a single wild repetition.
 *
 * - `exact`: no ties and both samples ≤ `exactMaxN` (default 50): the p-value
 *   comes from the exact permutation distribution of U (mwu-exact.ts), the
 *   same number as R's `wilcox.test(a, b)`.
 * - `normal`: otherwise (ties, or larger samples): normal approximation with
 *   the tie-corrected variance and a continuity correction of 0.5, the same
 *   number as R's `wilcox.test(a, b, exact = FALSE, correct = TRUE)`.
 *
 * Degenerate inputs never produce a verdict: an empty sample, or all values
 * equal (zero variance), give p = 1 with a `note`.
 */
import { exactMinP, exactTwoSidedP } from './mwu-exact.js';
import { twoSidedNormalP } from './normal.js';
import { midRanks } from './ranks.js';

export type MwuMethod = 'exact' | 'normal';

export interface MannWhitneyResult {
  /** U of the first sample: #pairs (a_i > b_j) + ½·#ties; ranges 0..n1·n2. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: MwuMethod;
  /** Standardized statistic (normal method only). */
  z: number | null;
  /** Smallest p this method could give for these sample sizes (and ties): a power check. */
  minP: number;
  /** Whether the pooled sample contains tied values. */
  ties: boolean;
  /** Why the result is degenerate (p forced to 1), else null. */
  note: string | null;
}

export interface MannWhitneyOptions {
  /** Largest per-sample size for the exact method, default 50. */
  exactMaxN?: number;
}

function normalSigma(n1: number, n2: number, tieSizes: readonly number[]): number {
  const n = n1 + n2;
  const tieTerm = tieSizes.reduce((s, t) => s + (t * t * t - t), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  return Math.sqrt(Math.max(0, variance));
}

export function mannWhitney(
  a: readonly number[],
  b: readonly number[],
  opts: MannWhitneyOptions = {},
): MannWhitneyResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) {
    return { u: 0, p: 1, method: 'normal', z: null, minP: 1, ties: false, note: 'a sample is empty' };
  }
  const { ranks, tieSizes } = midRanks([...a, ...b]);
  let rankSumA = 0;
  for (let i = 0; i < n1; i++) rankSumA += ranks[i] ?? 0;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const ties = tieSizes.length > 0;
  const exactMaxN = opts.exactMaxN ?? 50;

  if (!ties && n1 <= exactMaxN && n2 <= exactMaxN) {
    return { u, p: exactTwoSidedP(u, n1, n2), method: 'exact', z: null, minP: exactMinP(n1, n2), ties, note: null };
  }

  const sigma = normalSigma(n1, n2, tieSizes);
  if (sigma === 0) {
    return { u, p: 1, method: 'normal', z: null, minP: 1, ties, note: 'all values are equal' };
  }
  const d = u - (n1 * n2) / 2;
  const z = (d - 0.5 * Math.sign(d)) / sigma;
  const zMax = ((n1 * n2) / 2 - 0.5) / sigma;
  return { u, p: twoSidedNormalP(z), method: 'normal', z, minP: twoSidedNormalP(zMax), ties, note: null };
}
