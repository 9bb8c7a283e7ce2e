/**
 * The regression gate: baseline vs current run, every cell × metric, with a
 * multiple-comparison correction across the family and a verdict that is
 * never `pass` when the data could not have shown a regression.
 *
 * Verdict precedence: environment mismatch → inconclusive; else any
 * regression → regression; else incomplete data, any missing / failed /
 * inconclusive cell, or nothing tested → inconclusive; else pass. The reasons
 * for inconclusive are typed and ordered the same way (compare/inconclusive.ts),
 * so every view leads with the same one.
 */
import { groupSamples, indexCells, metricBetter } from '../compare/group.js';
import { compareValues } from '../compare/row.js';
import type { Sample } from '../model/sample.js';
import { summarizeCell } from '../stats/cell-stats.js';
import { minSamplesPerSide } from '../stats/min-samples.js';
import { adjustPValues } from '../stats/multiple.js';
import { deriveSeed } from '../util/prng.js';
import {
  byPrecedence,
  describeInconclusive,
  type EnvironmentDifference,
  type Inconclusive,
  type IncompleteSet,
} from '../compare/inconclusive.js';
import { GATE_DEFAULTS } from './defaults.js';
import { judgeCell } from './judge-cell.js';
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
        deltaCiReason: null,
        samplesNeeded: null,
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

/** What the verdict is computed from besides the cells. */
export interface VerdictContext {
  /** m: cell × metric pairs tested. */
  tests: number;
  alpha: number;
  envMismatch?: readonly EnvironmentDifference[];
  incomplete?: readonly IncompleteSet[];
}

/** What keeps the gate from judging, in precedence order (compare/inconclusive.ts). */
function inconclusiveReasons(cells: readonly GateCell[], ctx: VerdictContext): Inconclusive[] {
  const out: Inconclusive[] = [];
  if (ctx.envMismatch?.length) out.push({ kind: 'environment', differences: [...ctx.envMismatch] });
  if (ctx.incomplete?.length) out.push({ kind: 'incomplete', sets: [...ctx.incomplete] });
  const unjudged = (keep: (c: GateCell) => boolean) =>
    cells.filter(keep).map((c) => ({ cellKey: c.cellKey, metric: c.metric, why: c.reason }));
  const missing = unjudged((c) => c.status === 'missing');
  const failed = unjudged((c) => c.status === 'failed');
  const unconfirmed = unjudged((c) => c.status === 'inconclusive' && c.samplesNeeded === null);
  const short = cells.flatMap((c) =>
    c.status === 'inconclusive' && c.samplesNeeded !== null
      ? [
          {
            cellKey: c.cellKey,
            metric: c.metric,
            n: [c.baseline?.n ?? 0, c.current?.n ?? 0] as const,
            needed: c.samplesNeeded,
          },
        ]
      : [],
  );
  if (missing.length) out.push({ kind: 'missing-cells', cells: missing });
  if (failed.length) out.push({ kind: 'failed', cells: failed });
  if (short.length)
    out.push({ kind: 'too-few-samples', cells: short, alpha: ctx.alpha / Math.max(1, ctx.tests), alphaName: 'α/m' });
  if (unconfirmed.length) out.push({ kind: 'unconfirmed', cells: unconfirmed });
  if (ctx.tests === 0) out.push({ kind: 'nothing-tested' });
  return byPrecedence(out);
}

/** The verdict and its reasons from judged cells (see the precedence above). */
export function gateVerdict(
  cells: readonly GateCell[],
  ctx: VerdictContext,
): Pick<GateResult, 'verdict' | 'reasons' | 'inconclusive'> {
  const inconclusive = inconclusiveReasons(cells, ctx);
  const line = (c: GateCell) => `${c.status}: ${c.metric} @ ${c.cellKey}: ${c.reason}`;
  const regressions = cells.filter((c) => c.status === 'regression');
  const unclear = cells.filter((c) => c.status === 'inconclusive' || c.status === 'missing' || c.status === 'failed');
  const reasons = [
    ...(ctx.envMismatch ?? []).map((d) => `environment differs: ${d.text}`),
    ...(ctx.incomplete ?? []).map((s) => `incomplete: ${describeInconclusive({ kind: 'incomplete', sets: [s] })}`),
    ...regressions.map(line),
    ...unclear.map(line),
    ...(ctx.tests === 0 ? [describeInconclusive({ kind: 'nothing-tested' })] : []),
  ];
  const verdict = (v: GateResult['verdict']) => ({ verdict: v, reasons, inconclusive });
  if (inconclusive[0]?.kind === 'environment') return verdict('inconclusive');
  if (regressions.length > 0) return verdict('regression');
  if (inconclusive.length > 0) return verdict('inconclusive');
  return { verdict: 'pass', reasons: [`all ${ctx.tests} test(s) pass`], inconclusive };
}

export function evaluateGate(
  baseline: readonly Sample[],
  current: readonly Sample[],
  opts: GateOptions = {},
): GateResult {
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
    const verdict = judgeCell({ row, adjustedP, better, minEffectPct, alpha, alphaPerTest, minSamplesNeeded });
    Object.assign(cell, {
      baseline: row.a,
      current: row.b,
      deltaPct: row.deltaPct,
      deltaCi: row.deltaCi,
      deltaCiReason: row.deltaCiReason,
      u: row.u,
      p: row.p,
      method: row.method,
      adjustedP,
      ...verdict,
    });
  });

  const cells = pairs.map((p) => p.cell);
  const verdict = gateVerdict(cells, { tests, alpha, envMismatch: opts.envMismatch, incomplete: opts.incomplete });
  return { ...verdict, cells, minSamplesNeeded, alpha, correction, tests };
}
