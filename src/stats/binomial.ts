/**
 * Binomial(n, 1/2) distribution, the distribution of how many observations of
 * a continuous sample fall below its true median. Computed in log space so that
 * large n does not underflow 0.5^n.
 */

/** P(B ≤ k) for B ~ Binomial(n, 1/2); 0 for k < 0, 1 for k ≥ n. */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const log2 = Math.log(2);
  let logChoose = 0; // log C(n, 0)
  let total = 0;
  for (let j = 0; j <= k; j++) {
    total += Math.exp(logChoose - n * log2);
    logChoose += Math.log((n - j) / (j + 1)); // → log C(n, j + 1)
  }
  return Math.min(1, total);
}
