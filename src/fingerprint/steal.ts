/**
 * Host CPU steal of stored samples, summed up for the reports and the
 * comparisons: per cell and over a whole result set. The reading itself is
 * host/steal.ts.
 */
import { HOST_STEAL_KEY } from '../model/observed-keys.js';
import { METRIC } from '../model/metrics.js';
import { describe } from '../stats/descriptive.js';
import { CELL_DEFAULTS } from '../stats/cell-stats.js';
import { stealThatMatters, type StealImpact } from '../stats/steal-impact.js';

/** Mean steal of each cell's samples that recorded it (ok samples only), by cell key. */
export function stealByCell(
  samples: readonly { cellKey: string; status: string; observed: Record<string, unknown> }[],
): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const s of samples) {
    const v = s.observed[HOST_STEAL_KEY];
    if (s.status !== 'ok' || typeof v !== 'number' || !Number.isFinite(v)) continue;
    const acc = sums.get(s.cellKey) ?? { sum: 0, n: 0 };
    sums.set(s.cellKey, { sum: acc.sum + v, n: acc.n + 1 });
  }
  return new Map([...sums].map(([key, { sum, n }]) => [key, sum / n]));
}

/** Steal over all ok samples that recorded it: mean and max in %, and how many samples had any. */
export function stealSummary(
  samples: readonly { status: string; observed: Record<string, unknown> }[],
): { mean: number; max: number; nonZero: number; n: number } | null {
  const values = samples
    .filter((s) => s.status === 'ok')
    .map((s) => s.observed[HOST_STEAL_KEY])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return null;
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    max: Math.max(...values),
    nonZero: values.filter((v) => v > 0).length,
    n: values.length,
  };
}

/**
 * The cells of a result set whose steal matters against their own IOPS
 * spread (stats/steal-impact.ts), worst first, with how many cells saw any.
 */
export function stealThatMattersByCell(
  samples: readonly {
    cellKey: string;
    status: string;
    observed: Record<string, unknown>;
    metrics: Record<string, { value: number } | undefined>;
  }[],
): { cells: { cellKey: string; impact: StealImpact }[]; withSteal: number } {
  const steal = stealByCell(samples);
  const cells: { cellKey: string; impact: StealImpact }[] = [];
  let withSteal = 0;
  for (const [cellKey, stealPct] of steal) {
    if (stealPct > 0) withSteal++;
    const values = samples
      .filter((s) => s.cellKey === cellKey && s.status === 'ok')
      .map((s) => s.metrics[METRIC.iops]?.value)
      .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const impact = stealThatMatters(stealPct, describe(values), CELL_DEFAULTS.cvThreshold);
    if (impact) cells.push({ cellKey, impact });
  }
  return { cells: cells.sort((a, b) => b.impact.ratio - a.impact.ratio), withSteal };
}
