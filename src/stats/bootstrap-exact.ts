/**
 * The exact bootstrap distribution of a sample median, and of a ratio of two
 * such medians — what the percentile bootstrap (bootstrap.ts) approaches as
 * its resamples grow without bound, computed instead of drawn.
 *
 * A resample draws n times from the n sorted values s₀ ≤ … ≤ sₙ₋₁, each
 * index with probability 1/n. With L = #draws of index < i ~ Bin(n, i/n) and
 * M = #draws of index ≤ i ~ Bin(n, (i+1)/n):
 *  - odd n, median X₍ₖ₎ with k = (n+1)/2: P(X₍ₖ₎ = sᵢ) = P(M ≥ k) − P(L ≥ k);
 *  - even n, median (X₍ᵣ₎ + X₍ᵣ₊₁₎)/2 with r = n/2 — for i < j
 *    P(X₍ᵣ₎ = sᵢ, X₍ᵣ₊₁₎ = sⱼ) = C(n, r)·((i+1)ʳ − iʳ)/nʳ · (((n−j)/n)ⁿ⁻ʳ − ((n−j−1)/n)ⁿ⁻ʳ)
 *    (r draws at index ≤ i, at least one at i; none strictly between; the
 *    other n − r at index ≥ j, at least one at j), and for i = j
 *    P(L ≤ r−1) − P(M ≤ r) + C(n, r)·(i/n)ʳ·((n−i−1)/n)ⁿ⁻ʳ.
 * O(n²) support points, never sorted: P(median* ≤ x) is an O(n) sweep over
 * the sorted values. n is bounded by MAX_EXACT_N (C(n, n/2) stays finite).
 * Used where a decision must not carry Monte-Carlo error and must be cheap
 * enough to simulate 10⁴ times (gate/adaptive-rule.ts).
 */
import { choose } from './mwu-exact.js';

/** Largest sample the exact distribution is computed for (C(n, n/2) and the powers stay well inside a double). */
export const MAX_EXACT_N = 500;

/** P(Bin(n, p) ≤ k), summing the pmf by its recurrence from k = 0 (no factorials). */
function binomialCdf(n: number, p: number, k: number): number {
  if (k < 0) return 0;
  if (k >= n || p <= 0) return 1;
  if (p >= 1) return 0;
  let pmf = (1 - p) ** n;
  let total = pmf;
  const odds = p / (1 - p);
  for (let j = 1; j <= k; j++) {
    pmf *= ((n - j + 1) / j) * odds;
    total += pmf;
  }
  return Math.min(1, total);
}

/**
 * The exact bootstrap distribution of the median of one sample: its support
 * points and their probabilities (`forEachPoint`), and P(median* ≤ x) or
 * P(median* < x) in O(n) (`cdf`) — no sorting of the O(n²) points.
 */
export class ResampledMedian {
  private readonly s: Float64Array;
  private readonly n: number;
  /** Odd n: P(median* = sᵢ). Even n: P(X₍ᵣ₎ = X₍ᵣ₊₁₎ = sᵢ). */
  private readonly single: Float64Array;
  /** Even n: C(n, r)·((i+1)ʳ − iʳ)/nʳ, and prefix sums of ((n−j)/n)ⁿ⁻ʳ − ((n−j−1)/n)ⁿ⁻ʳ (index j+1). */
  private readonly left: Float64Array;
  private readonly rightPrefix: Float64Array;

  constructor(values: readonly number[]) {
    const n = values.length;
    if (n < 1 || n > MAX_EXACT_N) throw new RangeError(`exact bootstrap median: n = ${n} outside 1..${MAX_EXACT_N}`);
    this.n = n;
    this.s = Float64Array.from(values).sort();
    // L = #draws at index < i ~ Bin(n, i/n); M = #draws at index ≤ i ~ Bin(n, (i+1)/n).
    const below = (i: number, k: number) => binomialCdf(n, i / n, k);
    const atOrBelow = (i: number, k: number) => binomialCdf(n, (i + 1) / n, k);
    if (n % 2 === 1) {
      const k = (n + 1) / 2;
      this.single = Float64Array.from(this.s, (_, i) => below(i, k - 1) - atOrBelow(i, k - 1));
      this.left = new Float64Array(0);
      this.rightPrefix = new Float64Array(0);
      return;
    }
    const r = n / 2;
    const c = choose(n, r);
    this.single = Float64Array.from(
      this.s,
      (_, i) => below(i, r - 1) - atOrBelow(i, r) + c * (i / n) ** r * ((n - i - 1) / n) ** (n - r),
    );
    this.left = Float64Array.from(this.s, (_, i) => (c * ((i + 1) ** r - i ** r)) / n ** r);
    this.rightPrefix = new Float64Array(n + 1);
    for (let j = 0; j < n; j++)
      this.rightPrefix[j + 1] = this.rightPrefix[j]! + (((n - j) / n) ** (n - r) - ((n - j - 1) / n) ** (n - r));
  }

  /** Every support point with its probability (even n: the ½(sᵢ + sⱼ), i ≤ j). */
  forEachPoint(visit: (value: number, p: number) => void): void {
    const { s, n } = this;
    for (let i = 0; i < n; i++) {
      visit(s[i]!, this.single[i]!);
      if (n % 2 === 1) continue;
      const li = this.left[i]!;
      for (let j = i + 1; j < n; j++)
        visit((s[i]! + s[j]!) / 2, li * (this.rightPrefix[j + 1]! - this.rightPrefix[j]!));
    }
  }

  /** P(median* ≤ x), or P(median* < x) when `strict`. */
  cdf(x: number, strict = false): number {
    const { s, n } = this;
    const within = (v: number) => (strict ? v < x : v <= x);
    let total = 0;
    let top = n - 1; // largest j with ½(sᵢ + sⱼ) within; falls as i rises
    for (let i = 0; i < n && within(s[i]!); i++) {
      total += this.single[i]!;
      if (n % 2 === 1) continue;
      while (top > i && !within((s[i]! + s[top]!) / 2)) top--;
      if (top > i) total += this.left[i]! * (this.rightPrefix[top + 1]! - this.rightPrefix[i + 1]!);
    }
    return Math.min(1, total);
  }
}

/**
 * Whether both tails of median(b*)/median(a*) — at or below `low`, at or
 * above `high` — hold less than `level` of the exact bootstrap distribution
 * (the (1 − 2·level) percentile interval strictly inside (low, high)).
 * A cheap bound decides most cases first: by independence,
 * P(ratio ≤ low) ≥ P(median(a*) ≥ q)·P(median(b*) ≤ low·q) for every q, so
 * one q (a sample value) where that product reaches `level` already says no;
 * only the rest pay for the O(n³) sum of `ratioTailProbabilities`.
 */
export function ratioTailsBelow(
  a: readonly number[],
  b: readonly number[],
  bounds: { low: number; high: number; level: number },
): boolean {
  const da = new ResampledMedian(a);
  const db = new ResampledMedian(b);
  for (const q of a) {
    if (!(q > 0)) return false;
    const lowerTail = (1 - da.cdf(q, true)) * db.cdf(bounds.low * q);
    const upperTail = da.cdf(q) * (1 - db.cdf(bounds.high * q, true));
    if (lowerTail >= bounds.level || upperTail >= bounds.level) return false;
  }
  const lower = tail(da, (u) => db.cdf(bounds.low * u));
  if (lower >= bounds.level) return false;
  return tail(da, (u) => 1 - db.cdf(bounds.high * u, true)) < bounds.level;
}

/** Σ over median(a*)'s points u of P(u)·`given(u)`; a median ≤ 0 counts fully (no ratio). */
function tail(da: ResampledMedian, given: (u: number) => number): number {
  let total = 0;
  da.forEachPoint((u, p) => {
    if (p !== 0) total += u > 0 ? p * given(u) : p;
  });
  return total;
}

/**
 * Under the exact bootstrap (each side resampled on its own), the
 * probabilities that median(b*)/median(a*) ≤ `low` and ≥ `high`. Positive
 * values only (a ratio of IOPS or latencies); a zero or negative median of
 * `a` counts against both margins.
 */
export function ratioTailProbabilities(
  a: readonly number[],
  b: readonly number[],
  low: number,
  high: number,
): { atOrBelow: number; atOrAbove: number } {
  const da = new ResampledMedian(a);
  const db = new ResampledMedian(b);
  return {
    atOrBelow: tail(da, (u) => db.cdf(low * u)),
    atOrAbove: tail(da, (u) => 1 - db.cdf(high * u, true)),
  };
}
