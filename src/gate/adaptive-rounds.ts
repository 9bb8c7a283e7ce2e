/**
 * The round policy of `repetitions: auto` (run/run-plan.ts asks it before
 * every round): the declared comparisons of the plan, their state recomputed
 * from the stored samples at each round (adaptive-decide.ts), the cells that
 * still need rounds, the time budget, and the record written to adaptive.json.
 */
import { cellKeyOf } from '../model/cell-key.js';
import { InputError } from '../model/errors.js';
import type { CellValues } from '../model/sample.js';
import { ADAPTIVE_KIND, type AdaptiveStop } from '../model/schemas/adaptive.js';
import type { AdaptiveSpec } from '../profile/adaptive.js';
import type { AdaptiveRounds, RoundRecord } from '../run/run-plan.js';
import { exactMinP } from '../stats/mwu-exact.js';
import { replayComparison, undecidedReason, type ComparisonState, type RoundSeries } from './adaptive-decide.js';
import { alphaPerLook, lookSchedule } from './adaptive-rule.js';

export interface DeclaredComparison {
  baselineKey: string;
  cellKey: string;
  metric: string;
}

/**
 * Each cell whose value of the axis is not the baseline, against the cell
 * equal to it on every other axis with the baseline value (pairs missing
 * their baseline cell, e.g. pruned, are not declared) × each metric.
 */
export function declaredComparisons(
  cells: readonly { key: string; values: CellValues }[],
  spec: Pick<AdaptiveSpec, 'compare' | 'metrics'>,
): DeclaredComparison[] {
  const { axis, baseline } = spec.compare;
  const keys = new Set(cells.map((c) => c.key));
  const pairs = cells.flatMap((c) => {
    const value = c.values[axis];
    if (value === undefined || String(value) === String(baseline)) return [];
    const baselineKey = cellKeyOf({ ...c.values, [axis]: baseline });
    return keys.has(baselineKey) ? [{ baselineKey, cellKey: c.key }] : [];
  });
  return pairs.flatMap((p) => spec.metrics.map((metric) => ({ ...p, metric })));
}

/** Rounds visited per cell (highest repetition + 1, so a gap shows as missing) and ok values per cell × metric. */
function seriesOf(stored: readonly RoundRecord[]): {
  rounds: Map<string, number>;
  series: (cellKey: string, metric: string) => RoundSeries;
} {
  const rounds = new Map<string, number>();
  const values = new Map<string, Map<number, number>>();
  for (const s of stored) {
    rounds.set(s.cellKey, Math.max(rounds.get(s.cellKey) ?? 0, s.repetition + 1));
    if (s.status !== 'ok') continue;
    for (const [metric, m] of Object.entries(s.metrics)) {
      const key = `${s.cellKey}\n${metric}`;
      const byRound = values.get(key) ?? new Map<number, number>();
      byRound.set(s.repetition, m.value);
      values.set(key, byRound);
    }
  }
  return {
    rounds,
    series: (cellKey, metric) => ({
      rounds: rounds.get(cellKey) ?? 0,
      values: values.get(`${cellKey}\n${metric}`) ?? new Map(),
    }),
  };
}

/**
 * The policy for one plan. Throws InputError (exit 2, before anything boots)
 * when the profile declares nothing this plan can compare, or when the rank
 * test could never reach α′ at the maximum rounds.
 */
export function adaptiveRounds(
  spec: AdaptiveSpec,
  cells: readonly { key: string; values: CellValues }[],
  clock: () => number = Date.now,
): AdaptiveRounds {
  const comparisons = declaredComparisons(cells, spec);
  if (comparisons.length === 0)
    throw new InputError(
      `adaptive.compare: no cell of this plan has a ${spec.compare.axis}=${spec.compare.baseline} counterpart to compare with`,
    );
  const looks = lookSchedule(spec.min, spec.max, spec.looks);
  const rule = {
    alphaPerLook: alphaPerLook(spec.alpha, looks.length, comparisons.length),
    minEffectPct: spec.min_effect,
    looks,
  };
  if (exactMinP(spec.max, spec.max) >= rule.alphaPerLook)
    throw new InputError(
      `adaptive.max: at ${spec.max} rounds the rank test cannot reach α′ = α/(looks × comparisons) = ${rule.alphaPerLook.toPrecision(2)}; raise max or lower looks`,
    );
  const compared = new Set(comparisons.flatMap((c) => [c.baselineKey, c.cellKey]));
  const outside = cells.map((c) => c.key).filter((k) => !compared.has(k));
  const started = clock();
  let budgetSpent = false;
  const states = (stored: readonly RoundRecord[]) => {
    const { series } = seriesOf(stored);
    return comparisons.map((c) => ({
      ...c,
      state: replayComparison(series(c.baselineKey, c.metric), series(c.cellKey, c.metric), rule),
    }));
  };
  return {
    cellsFor(round, stored) {
      if (round >= spec.max) return null;
      if (spec.budget !== undefined && (clock() - started) / 1000 >= spec.budget) {
        budgetSpent = true;
        return null;
      }
      const open = states(stored).filter((c) => c.state.decision === 'open');
      const measured = new Set(open.flatMap((c) => [c.baselineKey, c.cellKey]));
      // Cells outside every comparison get the minimum rounds (something to show), no more.
      if (round < spec.min) for (const key of outside) measured.add(key);
      return measured.size > 0 ? measured : null;
    },
    record(stored, ended) {
      const { rounds } = seriesOf(stored);
      const now = states(stored);
      const stop: AdaptiveStop = !ended
        ? 'interrupted'
        : budgetSpent && now.some((c) => c.state.decision === 'open')
          ? 'budget'
          : now.every((c) => c.state.decision !== 'open' && c.state.decision !== 'undecided')
            ? 'decided'
            : 'max';
      return {
        kind: ADAPTIVE_KIND,
        rule: { alpha: spec.alpha, ...rule, looks: [...looks], budgetSeconds: spec.budget ?? null },
        stop,
        cells: [...rounds].map(([cellKey, n]) => ({ cellKey, rounds: n })),
        comparisons: now.map((c) => ({
          ...c.state,
          ...endOf(c.state, stop, rule),
          baselineKey: c.baselineKey,
          cellKey: c.cellKey,
          metric: c.metric,
        })),
      };
    },
  };
}

/** An open comparison when the budget ended the rounds is undecided, saying so. */
function endOf(
  state: ComparisonState,
  stop: AdaptiveStop,
  rule: { minEffectPct: number },
): Pick<ComparisonState, 'decision' | 'reason'> {
  if (state.decision !== 'open' || stop === 'interrupted') return state;
  return { decision: 'undecided', reason: undecidedReason(state, state.rounds, rule, 'the time budget') };
}
