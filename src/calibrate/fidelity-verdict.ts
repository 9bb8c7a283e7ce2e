/**
 * The fidelity check's statistics per cell: normal / harness-free as a ratio
 * of medians, its bootstrap CI (compare/delta-ci.ts: the one CI of a ratio of
 * medians), the Mann-Whitney p, and one of three verdicts:
 *
 *   equivalent — the (1 − 2α) CI of the ratio lies inside 1 ± m (TOST: both
 *                one-sided tests at α reject a difference of m or more);
 *   effect     — otherwise, when p < α and the (1 − α) CI excludes 1: the
 *                harness moves the number by x % (the ratio's estimate), and
 *                the CI says how much it may be;
 *   undecided  — neither: with the minimum detectable effect (power.ts) at
 *                this noise and n, what the check could have seen.
 *
 * Equivalence is tested first: a significant change inside the margin is a
 * real but negligible effect, and is reported as equivalent (the effect is
 * in the row's ratio and CI). Pure and seeded.
 */
import { deltaInterval } from '../compare/delta-ci.js';
import type { PctInterval } from '../compare/types.js';
import { cv, median } from '../stats/descriptive.js';
import { mannWhitney } from '../stats/mann-whitney.js';
import { minimumDetectableEffect } from './power.js';

export const FIDELITY_DEFAULTS = {
  /** ±m: the margin of "equivalent", in %. */
  marginPct: 5,
  alpha: 0.05,
  /** Power at which the minimum detectable effect is stated. */
  power: 0.8,
  simulations: 1000,
  seed: 1,
  /** The projection: a KVM host's CV and the 95 % CI half-width it wants, both in %. */
  projection: { cvPct: 2, halfWidthPct: 2 },
} as const;

export type FidelityVerdict =
  | { kind: 'equivalent'; marginPct: number }
  | { kind: 'effect'; effectPct: number; ci: PctInterval }
  | { kind: 'undecided'; mdePct: number | null; why: string };

export interface FidelityCell {
  cellKey: string;
  metric: string;
  n: { normal: number; harnessFree: number };
  median: { normal: number; harnessFree: number } | null;
  /** median(normal) / median(harness-free). */
  ratio: number | null;
  /** 95 % (1 − α) CI of the ratio, as % change (null below n = 6 per side). */
  ci: PctInterval | null;
  /** The (1 − 2α) CI that TOST uses. */
  tostCi: PctInterval | null;
  /** Width of `ci` in percentage points. */
  ciWidthPct: number | null;
  p: number | null;
  /** CV of both paths' values relative to their own median, pooled (fraction). */
  cv: number | null;
  verdict: FidelityVerdict;
  /** Projection, not a measurement: n per side for a 95 % CI of ± halfWidthPct at CV cvPct (see projectedN). */
  projectedN: number | null;
}

/** The verdict from the two intervals and p. Pure: the boundaries are the unit tests'. */
export function decideVerdict(v: {
  /** The point estimate: (ratio − 1) · 100. */
  deltaPct: number;
  ci: PctInterval | null;
  tostCi: PctInterval | null;
  p: number | null;
  alpha: number;
  marginPct: number;
  mdePct: () => number | null;
}): FidelityVerdict {
  const { ci, tostCi, p, alpha, marginPct: m } = v;
  if (tostCi && tostCi.low > -m && tostCi.high < m) return { kind: 'equivalent', marginPct: m };
  if (ci && p !== null && p < alpha && (ci.low > 0 || ci.high < 0)) {
    return { kind: 'effect', effectPct: v.deltaPct, ci };
  }
  const why = !ci
    ? 'too few samples for a 95 % interval (n ≥ 6 per side)'
    : tostCi && (tostCi.low <= -m || tostCi.high >= m)
      ? `the ${Math.round((tostCi.level ?? 0.9) * 100)} % CI reaches beyond ±${m} % and the change is not significant`
      : 'not significant';
  return { kind: 'undecided', mdePct: v.mdePct(), why };
}

/**
 * n per side for which a 95 % CI of the ratio would be ± `halfWidthPct` at CV
 * `cvPct`, scaled from this cell's own interval: a half-width grows like
 * CV·√(1/n₁ + 1/n₂), so h = k·CV·√(1/n₁+1/n₂) gives k, and equal sizes n
 * need 2·(k·CV'/h')². The noise's shape stays this cell's; only its size changes.
 */
export function projectedN(
  ci: PctInterval,
  cvPct: number,
  n1: number,
  n2: number,
  target: { cvPct: number; halfWidthPct: number },
): number | null {
  const h = (ci.high - ci.low) / 2;
  if (!(cvPct > 0) || !(h > 0)) return null;
  const k = h / (cvPct * Math.sqrt(1 / n1 + 1 / n2));
  return Math.max(2, Math.ceil(2 * ((k * target.cvPct) / target.halfWidthPct) ** 2));
}

const residuals = (values: readonly number[]): number[] => values.map((x) => x / median(values));

/** `normal`, `harnessFree`: the metric's values of the ok samples of one cell. */
export function judgeCell(
  cellKey: string,
  metric: string,
  normal: readonly number[],
  harnessFree: readonly number[],
  opts: { alpha: number; marginPct: number },
): FidelityCell {
  const n = { normal: normal.length, harnessFree: harnessFree.length };
  const { alpha, marginPct } = opts;
  const seedOf = { seed: FIDELITY_DEFAULTS.seed, key: cellKey };
  if (normal.length === 0 || harnessFree.length === 0) {
    const verdict = { kind: 'undecided' as const, mdePct: null, why: 'no sample on one side' };
    const none = { ci: null, tostCi: null, ciWidthPct: null, p: null, cv: null, projectedN: null };
    return { cellKey, metric, n, median: null, ratio: null, ...none, verdict };
  }
  const med = { normal: median(normal), harnessFree: median(harnessFree) };
  const ci = deltaInterval(harnessFree, normal, { ...seedOf, level: 1 - alpha }).ci;
  const tostCi = deltaInterval(harnessFree, normal, { ...seedOf, level: 1 - 2 * alpha }).ci;
  const p = mannWhitney(normal, harnessFree).p;
  const pooled = [...residuals(normal), ...residuals(harnessFree)];
  const spread = pooled.length >= 2 ? cv(pooled) : null;
  const mdePct = () =>
    minimumDetectableEffect(
      { residuals: pooled, alpha, better: 'higher', simulations: FIDELITY_DEFAULTS.simulations },
      normal.length,
      harnessFree.length,
      FIDELITY_DEFAULTS.power,
    );
  const projection = FIDELITY_DEFAULTS.projection;
  return {
    cellKey,
    metric,
    n,
    median: med,
    ratio: med.normal / med.harnessFree,
    ci,
    tostCi,
    ciWidthPct: ci ? ci.high - ci.low : null,
    p,
    cv: spread,
    verdict: decideVerdict({
      deltaPct: (med.normal / med.harnessFree - 1) * 100,
      ci,
      tostCi,
      p,
      alpha,
      marginPct,
      mdePct,
    }),
    projectedN:
      ci && spread !== null ? projectedN(ci, spread * 100, normal.length, harnessFree.length, projection) : null,
  };
}
