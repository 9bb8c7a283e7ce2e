/**
 * How many repetitions a comparison needs before it can possibly succeed.
 *
 * The most extreme outcome of an exact two-sided Mann-Whitney test (complete
 * separation of the two samples) has p = 2 / C(n1+n2, n1); with n per side
 * that is 2 / C(2n, n). If that is not below α, no data whatsoever can give a
 * significant result and "not significant" says nothing.
 *
 *   n per side      3      4       5        6         7
 *   min p         0.100  0.0286  0.00794  0.00216  0.000583
 *
 * so α = 0.05 needs 4 per side, α = 0.01 needs 5, α = 0.001 needs 7.
 *
 * Ties never lower that floor: every value of U the exact test with ties
 * (mwu-exact-ties.ts) can give is reached by at least one of the
 * C(n1+n2, n1) splits, so its p is at least 2 / C(n1+n2, n1) too — the normal
 * approximation, used with ties before, could fall below it. Values shared by
 * both sides at the extremes of the pooled sample raise the smallest p that
 * particular comparison can reach (`minP` of the test result); each side all
 * tied, or any tie pattern with the sides separated, keeps it at 2 / C.
 */
import { exactMinP } from './mwu-exact.js';

/** Whether sizes n1, n2 can reach p < α with the exact test. */
export function canReachAlpha(n1: number, n2: number, alpha: number): boolean {
  return exactMinP(n1, n2) < alpha;
}

/** Smallest n with 2 / C(2n, n) < α (equal sizes on both sides). */
export function minSamplesPerSide(alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  let n = 1;
  while (!canReachAlpha(n, n, alpha)) n++;
  return n;
}

/** Smallest n2 with 2 / C(n1+n2, n1) < α for a fixed other side n1, or null if none up to `limit`. */
export function minOtherSide(n1: number, alpha: number, limit = 10_000): number | null {
  for (let n2 = 1; n2 <= limit; n2++) if (canReachAlpha(n1, n2, alpha)) return n2;
  return null;
}

/**
 * Why a comparison can never give p < α: 'sizes' when 2 / C(n1+n2, n1) is not
 * below α, 'ties' when the sizes could but the test's smallest p under the
 * observed tie pattern (`minP` of the result) is not, else null.
 */
export function powerlessBecause(n1: number, n2: number, minP: number, alpha: number): 'sizes' | 'ties' | null {
  if (!canReachAlpha(n1, n2, alpha)) return 'sizes';
  return minP >= alpha ? 'ties' : null;
}
