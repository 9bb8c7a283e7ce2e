/**
 * Standard normal tail probabilities for the large-sample Mann-Whitney test.
 *
 * erfc uses the Chebyshev-fitted formula of Numerical Recipes in C, 2nd ed.,
 * §6.2 (erfcc): fractional error below 1.2e-7 everywhere, including far in the
 * tails, which is plenty for p-values compared with α ≥ 1e-6.
 */

export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** Two-sided p-value 2·P(Z ≥ |z|), capped at 1. */
export function twoSidedNormalP(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}
