/**
 * `--by AXIS`: compare, inside one run, each value of one axis against a
 * baseline value of that axis, pairing cells that are equal on every other axis
 * (e.g. ioeventfd=off vs ioeventfd=on for each backend × scheduler × iodepth).
 */
import type { Sample } from '../model/sample.js';
import { cellKeyOf } from '../model/cell-key.js';
import { groupSamples, indexCells, metricBetter, type CellInfo } from './group.js';
import { compareOrMissing } from './row.js';
import type { ComparisonRow } from './types.js';

export interface WithinRunOptions {
  axis: string;
  /** Baseline value of `axis`; compared as text, so 1 and '1' match. */
  baseline: string | number;
  metric: string;
  alpha: number;
  /** Bootstrap seed, default 1. */
  seed?: number;
  level?: number;
  iterations?: number;
}

/**
 * Rows with A = the baseline cell and B = each other value of the axis, one
 * per non-baseline cell. When either side has no `ok` measurement the row is
 * `missing` (missingFrom says which). Cells without the axis are ignored.
 */
export function compareWithinRun(samples: readonly Sample[], opts: WithinRunOptions): ComparisonRow[] {
  const values = groupSamples(samples, opts.metric);
  const cells = indexCells(samples);
  const better = metricBetter(samples, opts.metric) ?? 'higher';
  const baselineText = String(opts.baseline);
  const baselineByRest = new Map<string, string>();
  const variants: CellInfo[] = [];
  for (const info of cells.values()) {
    const value = info.cell[opts.axis];
    if (value === undefined) continue;
    if (String(value) === baselineText) baselineByRest.set(cellKeyOf(info.cell, opts.axis), info.cellKey);
    else variants.push(info);
  }
  const rowOpts = { alpha: opts.alpha, seed: opts.seed ?? 1, better, level: opts.level, iterations: opts.iterations };
  return variants.map((info) => {
    const baselineKey =
      baselineByRest.get(cellKeyOf(info.cell, opts.axis)) ?? cellKeyOf({ ...info.cell, [opts.axis]: baselineText });
    const va = values.get(baselineKey);
    const vb = values.get(info.cellKey);
    return compareOrMissing({ cellKey: info.cellKey, baselineKey, cell: info.cell }, va, vb, rowOpts);
  });
}
