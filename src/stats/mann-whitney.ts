/**
 * Two-sided Mann-Whitney U test (Wilcoxon rank-sum), the test benchstat uses:
 * it asks whether a value from one sample tends to be larger than a value from
 * the other, assumes nothing about the shape of the distributions and is not
 * thrown by a single wild repetition.
 *
 * - `exact`: no ties and both samples ≤ `exactMaxN` (default 50): the p-value
 *   comes from the exact permutation distribution of U (mwu-exact.ts), the
 *   same number as R's `wilcox.test(a, b)`.
 * - `exact-ties`: ties, both samples ≤ `exactMaxN` and at most as many splits
 *   C(n1+n2, n1) as `exactTiesMaxN` vs `exactTiesMaxN` (default 25 vs 25, as
 *   benchstat; a small side allows a larger other one, e.g. 14 vs 50): the
 *   exact permutation distribution of U given the tie pattern
 *   (mwu-exact-ties.ts), whose counts are exact integers within that bound.
 *   The normal approximation is no substitute there: with heavy ties it is
 *   anti-conservative (6 vs 6, each side all tied: 0.00126 instead of the
 *   exact 0.00216).
 * - `normal`: otherwise (larger samples): normal approximation with the
 *   tie-corrected variance and a continuity correction of 0.5, the same number
 *   as R's `wilcox.test(a, b, exact = FALSE, correct = TRUE)`.
 *
 * Degenerate inputs never produce a verdict: an empty sample, or all values
 * equal, give p = 1 with a `note`.
 */
import { choose, exactMinP, exactTwoSidedP } from './mwu-exact.js';
import { tiedMinP, tiedTwoSidedP, tiedUDistribution } from './mwu-exact-ties.js';
import { twoSidedNormalP } from './normal.js';
import { midRanks } from './ranks.js';

export type MwuMethod = 'exact' | 'exact-ties' | 'normal';

export interface MannWhitneyResult {
  /** U of the first sample: #pairs (a_i > b_j) + ½·#ties; ranges 0..n1·n2. */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: MwuMethod;
  /** Standardized statistic (normal method only). */
  z: number | null;
  /** Smallest p this method could give for these sample sizes and this tie pattern: a power check. */
  minP: number;
  /** Whether the pooled sample contains tied values. */
  ties: boolean;
  /** Why the result is degenerate (p forced to 1), else null. */
  note: string | null;
}

export interface MannWhitneyOptions {
  /** Largest per-sample size for the exact method without ties, default 50. */
  exactMaxN?: number;
  /** With ties the exact method is used up to as many splits as this many vs this many, default 25. */
  exactTiesMaxN?: number;
}

const MWU_DEFAULTS = { exactMaxN: 50, exactTiesMaxN: 25 } as const;

function normalSigma(n1: number, n2: number, tieSizes: readonly number[]): number {
  const n = n1 + n2;
  const tieTerm = tieSizes.reduce((s, t) => s + (t * t * t - t), 0);
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  return Math.sqrt(Math.max(0, variance));
}

/** Normal approximation; minP from the most extreme U the tie pattern allows (complete separation without ties). */
function normalTest(
  u: number,
  n1: number,
  ranks: readonly number[],
  tieSizes: readonly number[],
): Pick<MannWhitneyResult, 'p' | 'z' | 'minP'> {
  const n2 = ranks.length - n1;
  const sigma = normalSigma(n1, n2, tieSizes);
  const mu = (n1 * n2) / 2;
  const z = (u - mu - 0.5 * Math.sign(u - mu)) / sigma;
  const asc = [...ranks].sort((x, y) => x - y);
  const offset = (n1 * (n1 + 1)) / 2;
  const uMin = asc.slice(0, n1).reduce((s, r) => s + r, 0) - offset;
  const uMax = asc.slice(-n1).reduce((s, r) => s + r, 0) - offset;
  const zMax = (Math.max(mu - uMin, uMax - mu) - 0.5) / sigma;
  return { p: twoSidedNormalP(z), z, minP: twoSidedNormalP(zMax) };
}

function chooseMethod(n1: number, n2: number, ties: boolean, opts: MannWhitneyOptions): MwuMethod {
  const maxN = opts.exactMaxN ?? MWU_DEFAULTS.exactMaxN;
  if (n1 > maxN || n2 > maxN) return 'normal';
  if (!ties) return 'exact';
  const tiesN = opts.exactTiesMaxN ?? MWU_DEFAULTS.exactTiesMaxN;
  return choose(n1 + n2, Math.min(n1, n2)) <= choose(2 * tiesN, tiesN) ? 'exact-ties' : 'normal';
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
  const { ranks, tieSizes, groupSizes } = midRanks([...a, ...b]);
  let rankSumA = 0;
  for (let i = 0; i < n1; i++) rankSumA += ranks[i] ?? 0;
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const ties = tieSizes.length > 0;
  const method = chooseMethod(n1, n2, ties, opts);
  const result = { u, method, z: null, ties, note: null };

  if (groupSizes.length === 1) return { ...result, p: 1, minP: 1, note: 'all values are equal' };
  if (method === 'exact') return { ...result, p: exactTwoSidedP(u, n1, n2), minP: exactMinP(n1, n2) };
  if (method === 'exact-ties') {
    // Counted for the smaller side (cheaper; U of the other side is n1·n2 − u, p and minP are the same).
    const dist = tiedUDistribution(Math.min(n1, n2), groupSizes);
    return { ...result, p: tiedTwoSidedP(dist, n1 <= n2 ? u : n1 * n2 - u), minP: tiedMinP(dist) };
  }
  return { ...result, ...normalTest(u, n1, ranks, tieSizes) };
}
