/**
 * The stopping rule of `repetitions: auto` (docs/statistics.md, "Adaptive
 * repetitions"): at each look, one declared comparison (cell B vs its
 * baseline cell A, one metric) is
 *
 *  - `different`: the gate's rule — the Mann-Whitney p is below the per-look
 *    level α′ AND the change of the median is more than the minimum effect
 *    (stats/min-effect.ts), either way;
 *  - `equivalent`: TOST — the (1 − 2α′) percentile bootstrap interval of
 *    median(B)/median(A) lies strictly inside 1 ± the minimum effect (and so
 *    does the estimate);
 *  - `continue`: neither. When the difference is significant but not beyond
 *    the margin, it is in the grey zone (`grey`): a real difference whose
 *    interval straddles the margin; more rounds may place it either side.
 *
 * α′ = α / (looks × comparisons): Bonferroni over every look of every
 * comparison × metric, so each error rate (a false `different` where there is
 * no difference, a false `equivalent` where the difference is the margin)
 * stays at most α for the whole run, under any dependence between looks.
 * The boundaries rest on a bootstrap interval that is not exact at small n;
 * `npm run adaptive-sim` and test/unit/gate/adaptive-sim.test.ts check both
 * rates by simulation on real residuals.
 * Pure and deterministic: the same values give the same verdict.
 */
import { ratioTailsBelow } from '../stats/bootstrap-exact.js';
import { median } from '../stats/descriptive.js';
import { mannWhitney } from '../stats/mann-whitney.js';
import { exceedsMinEffect } from '../stats/min-effect.js';
import { minSamplesForDeltaCi } from '../compare/delta-ci.js';

export type LookVerdict = 'different' | 'equivalent' | 'continue';

export interface LookRule {
  /** α′: the level of each test at each look. */
  alphaPerLook: number;
  /** The margin, in % of the baseline median. */
  minEffectPct: number;
}

export interface LookOutcome {
  verdict: LookVerdict;
  /** Change of the median, B vs A, in %. */
  deltaPct: number;
  /** Two-sided Mann-Whitney p. */
  p: number;
  /** p < α′ but not `different`: the interval straddles the margin. */
  grey: boolean;
}

/** Bonferroni over looks × comparisons (comparisons = compared cell pairs × metrics). */
export function alphaPerLook(alpha: number, looks: number, comparisons: number): number {
  return alpha / (looks * Math.max(1, comparisons));
}

/**
 * The rounds after which the rule looks: `count` points from `min` to `max`,
 * spaced geometrically (each look adds about the same share of data), rounded
 * and without repeats. Fixed before the run: the error spending depends on it.
 */
export function lookSchedule(min: number, max: number, count: number): number[] {
  if (count <= 1 || max <= min) return [max];
  const ratio = max / min;
  const points = Array.from({ length: count }, (_, k) => Math.round(min * ratio ** (k / (count - 1))));
  return [...new Set(points)].filter((n) => n >= min && n <= max);
}

/**
 * Whether the (1 − 2α′) percentile bootstrap interval of the ratio lies
 * strictly inside the margin: less than α′ of the bootstrap distribution at or
 * beyond each side. The distribution is the exact one (stats/bootstrap-exact.ts),
 * the limit of compare/delta-ci.ts's resampling: no Monte-Carlo error in a
 * decision, and cheap enough to simulate the rule 10⁴ times per case.
 */
function insideMargin(a: readonly number[], b: readonly number[], rule: LookRule): boolean {
  const m = rule.minEffectPct / 100;
  return ratioTailsBelow(a, b, { low: 1 - m, high: 1 + m, level: rule.alphaPerLook });
}

/** The verdict on values `a` (baseline) and `b` at one look. Deterministic. */
export function judgeLook(a: readonly number[], b: readonly number[], rule: LookRule): LookOutcome {
  const deltaPct = (median(b) / median(a) - 1) * 100;
  const p = mannWhitney(a, b).p;
  const significant = p < rule.alphaPerLook;
  const beyond = exceedsMinEffect(deltaPct, rule.minEffectPct) || exceedsMinEffect(-deltaPct, rule.minEffectPct);
  if (significant && beyond) return { verdict: 'different', deltaPct, p, grey: false };
  // No interval below the CI-of-Δ rule (compare/delta-ci.ts); an estimate at or beyond the margin cannot be inside it.
  const canBeInside = Math.min(a.length, b.length) >= minSamplesForDeltaCi() && Math.abs(deltaPct) < rule.minEffectPct;
  if (canBeInside && insideMargin(a, b, rule)) return { verdict: 'equivalent', deltaPct, p, grey: false };
  return { verdict: 'continue', deltaPct, p, grey: significant && !beyond };
}
