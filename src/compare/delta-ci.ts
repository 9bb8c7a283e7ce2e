/**
 * The interval of Δ (the change of the median, B vs A) and the one rule for
 * when it is shown, used by every view (terminal and Markdown tables, the
 * gate's JUnit/Markdown, the HTML report, JSON).
 *
 * Rule: a CI of Δ is computed only when **both** sides have at least
 * `minSamplesForDeltaCi(level)` values — the n at which a distribution-free
 * interval of each median exists (n ≥ 6 at 95 %: the widest order-statistic
 * interval [min, max] covers a median with 1 − 2·0.5ⁿ, 93.75 % at n = 5).
 * Δ is a ratio of the two medians; when the data cannot bound a median at the
 * stated level, an interval of their ratio at that level claims more than the
 * data holds. Below the rule the percentile bootstrap still returns numbers,
 * but they are not a 95 % interval: with n ≤ 3 per side its bounds are exactly
 * min B / max A and max B / min A (a single point at n = 1 vs 1: the
 * "+19.7 % … +19.7 %" this rule removes), and its coverage of a true Δ = 0 is
 * 0 %, 67 %, 90.5 %, 92.8 % at n = 1…4 (97.1 % at 5, 96.1 % at 6;
 * `npm run delta-ci-coverage`). n = 5 would do in that simulation; the rule
 * stays with the medians' own interval so that no Δ interval is shown beside
 * medians that have none.
 * Without an interval, `ci` is null and `reason` says why; renderers show '—'.
 */
import { bootstrapCi, ratioOfMedians } from '../stats/bootstrap.js';
import { minSamplesForMedianCi } from '../stats/median-ci.js';
import { formatNumber, formatSignedPct } from '../util/number-format.js';
import { deriveSeed } from '../util/prng.js';
import type { PctInterval } from './types.js';

export type DeltaCiResult = { ci: PctInterval; reason: null } | { ci: null; reason: string };

/** Values per side below which no CI of Δ is shown (6 at 95 %). */
export function minSamplesForDeltaCi(level = 0.95): number {
  return minSamplesForMedianCi(level);
}

/** Bootstrap CI of median(b)/median(a), as a percentage change; seeded per cell; null below the rule above. */
export function deltaInterval(
  a: readonly number[],
  b: readonly number[],
  opts: { seed: number; key: string; level?: number; iterations?: number },
): DeltaCiResult {
  const level = opts.level ?? 0.95;
  if (belowDeltaCiRule(a.length, b.length, level)) {
    const needed = minSamplesForDeltaCi(level);
    return {
      ci: null,
      reason: `n = ${a.length} vs ${b.length}: a ${formatNumber(level * 100, 4)} % CI of Δ needs n ≥ ${needed} per side`,
    };
  }
  const ci = bootstrapCi([a, b], ratioOfMedians, {
    seed: deriveSeed(opts.seed, opts.key),
    level,
    iterations: opts.iterations ?? 2000,
  });
  if (!ci) return { ci: null, reason: 'the ratio of medians is not finite on some resample (a median of 0)' };
  return { ci: { low: (ci.low - 1) * 100, high: (ci.high - 1) * 100, level: ci.level }, reason: null };
}

/** Whether sizes na, nb are below the rule (no CI of Δ however the values fall). */
export function belowDeltaCiRule(na: number, nb: number, level = 0.95): boolean {
  const needed = minSamplesForDeltaCi(level);
  return na < needed || nb < needed;
}

/** `-12.5 % … +3 %`, or '—' when there is no interval. */
export function formatDeltaCi(ci: PctInterval | null): string {
  return ci ? `${formatSignedPct(ci.low)} … ${formatSignedPct(ci.high)}` : '—';
}

/** The legend line for a table whose CI-of-Δ column may hold '—' because of the rule. */
export function deltaCiRuleNote(level = 0.95): string {
  return `— in the CI of Δ: fewer than ${minSamplesForDeltaCi(level)} values on a side, too few for a ${formatNumber(level * 100, 4)} % interval of a median (docs/statistics.md)`;
}
