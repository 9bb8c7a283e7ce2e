/**
 * Descriptive statistics over one cell's repetitions.
 *
 * Conventions shared by every function here:
 * - inputs are never mutated (sorting works on a copy);
 * - an empty input gives NaN (there is no value to report), never a throw;
 * - `stdev` is the sample standard deviation (divisor n - 1), NaN for n < 2;
 * - `cv` is stdev / |mean|, a fraction (0.05 = 5 %), NaN when undefined.
 */

/** Ascending copy of `values`. */
export function sorted(values: readonly number[]): number[] {
  return [...values].sort((x, y) => x - y);
}

export function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : sum(values) / values.length;
}

/** Sample standard deviation (Bessel's n - 1 divisor); NaN when n < 2. */
export function stdev(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return NaN;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return Math.sqrt(ss / (n - 1));
}

/** Coefficient of variation stdev / |mean| as a fraction; NaN when n < 2 or mean = 0. */
export function cv(values: readonly number[]): number {
  const m = mean(values);
  const s = stdev(values);
  if (!Number.isFinite(s) || m === 0) return NaN;
  return s / Math.abs(m);
}

export function min(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => (b < a ? b : a));
}

export function max(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => (b > a ? b : a));
}

/**
 * Quantile `p` (0..1) of already sorted values, Hyndman & Fan (1996) type 7:
 * h = (n - 1)·p, result = x[⌊h⌋] + (h - ⌊h⌋)·(x[⌊h⌋+1] - x[⌊h⌋]) with 0-based x.
 * It is the default of R's quantile() and NumPy's percentile(), so numbers can
 * be checked there; p = 0.5 is the usual median.
 */
export function quantileSorted(sortedValues: readonly number[], p: number): number {
  const n = sortedValues.length;
  if (n === 0 || !(p >= 0 && p <= 1)) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const xLo = sortedValues[lo] ?? NaN;
  const xHi = sortedValues[hi] ?? NaN;
  return xLo + (h - lo) * (xHi - xLo);
}

/** Quantile `p` (0..1) of unsorted values, type 7 (see quantileSorted). */
export function quantile(values: readonly number[], p: number): number {
  return quantileSorted(sorted(values), p);
}

/** Median: middle value, or mean of the two middle values for even n. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export interface Descriptive {
  n: number;
  median: number;
  mean: number;
  stdev: number;
  cv: number;
  min: number;
  max: number;
}

export function describe(values: readonly number[]): Descriptive {
  return {
    n: values.length,
    median: median(values),
    mean: mean(values),
    stdev: stdev(values),
    cv: cv(values),
    min: min(values),
    max: max(values),
  };
}
