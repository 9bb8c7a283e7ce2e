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
