/**
 * The regression gate: baseline vs current run, every cell × metric, with a
 * multiple-comparison correction across the family and a verdict that is
 * never `pass` when the data could not have shown a regression.
 *
 * Verdict precedence: environment mismatch → inconclusive; else any
 * regression → regression; else any inconclusive / missing / failed cell,
 * incomplete data, or nothing tested → inconclusive; else pass.
 */
import { groupSamples, indexCells, metricBetter } from '../compare/group.js';
import { compareValues } from '../compare/row.js';
import type { Sample } from '../model/sample.js';
import { summarizeCell } from '../stats/cell-stats.js';
import { minSamplesPerSide } from '../stats/min-samples.js';
import { adjustPValues } from '../stats/multiple.js';
import { deriveSeed } from '../stats/prng.js';
import { GATE_DEFAULTS } from './defaults.js';
import { judge } from './judge.js';
import { precheck } from './precheck.js';
import type { GateCell, GateMetric, GateOptions, GateResult } from './types.js';

/** One cell × metric before testing: blocked (status set) or with values on both sides. */
interface Pair {
  cell: GateCell;
  values: { a: number[]; b: number[] } | null;
}

function collectPairs(
  baseline: readonly Sample[],
  current: readonly Sample[],
  metrics: readonly GateMetric[],
  opts: GateOptions,
  alpha: number,
): Pair[] {
  const baseCells = indexCells(baseline);
  const curCells = indexCells(current);
  const keys = [...new Set([...baseCells.keys(), ...curCells.keys()])];
  const pairs: Pair[] = [];
  for (const metric of metrics) {
    const better = metricBetter(baseline, metric.name) ?? metricBetter(current, metric.name) ?? 'higher';
    const baseValues = groupSamples(baseline, metric.name);
    const curValues = groupSamples(current, metric.name);
    for (const cellKey of keys) {
      const bInfo = baseCells.get(cellKey);
      const cInfo = curCells.get(cellKey);
      const a = baseValues.get(cellKey);
      const b = curValues.get(cellKey);
      const blocked = precheck(bInfo, cInfo, { base: a, cur: b }, metric.name);
      const summarize = { alpha, better, level: opts.level };
      const cell: GateCell = {
        cellKey,
        cell: (bInfo ?? cInfo)?.cell ?? {},
        metric: metric.name,
        better,
        minEffectPct: metric.minEffectPct,
        status: blocked?.status ?? 'pass',
        reason: blocked?.reason ?? '',
        // Tested pairs get their summaries from the comparison below.
        baseline: blocked && a ? summarizeCell(a, summarize) : null,
        current: blocked && b ? summarizeCell(b, summarize) : null,
        deltaPct: null,
        deltaCi: null,
        u: null,
        p: null,
        adjustedP: null,
        method: null,
      };
      pairs.push({ cell, values: !blocked && a && b ? { a, b } : null });
    }
  }
  return pairs;
}

/** The verdict and its reasons from judged cells (see the precedence above). */
export function gateVerdict(
  cells: readonly GateCell[],
  envMismatch: readonly string[],
  tests: number,
  incomplete: readonly string[] = [],
): Pick<GateResult, 'verdict' | 'reasons'> {
  const line = (c: GateCell) => `${c.status}: ${c.metric} @ ${c.cellKey}: ${c.reason}`;
  const regressions = cells.filter((c) => c.status === 'regression');
  const unclear = cells.filter((c) => c.status === 'inconclusive' || c.status === 'missing' || c.status === 'failed');
  const reasons = [
    ...envMismatch.map((e) => `environment differs: ${e}`),
    ...incomplete.map((e) => `incomplete: ${e}`),
    ...regressions.map(line),
    ...unclear.map(line),
  ];
  if (tests === 0) reasons.push('no cell × metric could be compared');
  if (envMismatch.length > 0) return { verdict: 'inconclusive', reasons };
  if (regressions.length > 0) return { verdict: 'regression', reasons };
  if (unclear.length > 0 || incomplete.length > 0 || tests === 0) return { verdict: 'inconclusive', reasons };
  return { verdict: 'pass', reasons: [`all ${tests} test(s) pass`] };
}

export function evaluateGate(baseline: readonly Sample[], current: readonly Sample[], opts: GateOptions = {}): GateResult {
  const metrics = opts.metrics ?? GATE_DEFAULTS.metrics;
  const alpha = opts.alpha ?? GATE_DEFAULTS.alpha;
  const correction = opts.correction ?? GATE_DEFAULTS.correction;
  const seed = opts.seed ?? GATE_DEFAULTS.seed;
  const pairs = collectPairs(baseline, current, metrics, opts, alpha);

  // The family of m tests: the smallest p must beat α/m under Holm (and under
  // BH when a single pair changes), so that is the bar for sample sizes.
  const testable = pairs.filter((p): p is Pair & { values: { a: number[]; b: number[] } } => p.values !== null);
  const tests = testable.length;
  const alphaPerTest = alpha / Math.max(1, tests);
  const minSamplesNeeded = minSamplesPerSide(alphaPerTest);

  const rows = testable.map(({ cell, values }) =>
    compareValues({ cellKey: cell.cellKey, baselineKey: cell.cellKey, cell: cell.cell }, values.a, values.b, {
      alpha: alphaPerTest,
      seed: deriveSeed(seed, cell.metric),
      better: cell.better,
      level: opts.level,
      iterations: opts.iterations,
    }),
  );
  const adjusted = adjustPValues(
    rows.map((r) => r.p),
    correction,
  );
  testable.forEach(({ cell }, i) => {
    const row = rows[i];
    if (!row) return;
    const adjustedP = adjusted[i] ?? 1;
    const { better, minEffectPct } = cell;
    const verdict = judge({ row, adjustedP, better, minEffectPct, alpha, alphaPerTest, minSamplesNeeded });
    Object.assign(cell, {
      baseline: row.a,
      current: row.b,
      deltaPct: row.deltaPct,
      deltaCi: row.deltaCi,
      u: row.u,
      p: row.p,
      method: row.method,
      adjustedP,
      ...verdict,
    });
  });

  const cells = pairs.map((p) => p.cell);
  const verdict = gateVerdict(cells, opts.envMismatch ?? [], tests, opts.incomplete ?? []);
  return { ...verdict, cells, minSamplesNeeded, alpha, correction, tests };
}
