/** A-vs-B comparison of two stored runs, cell by cell (benchstat's model). */
import type { Sample } from '../model/sample.js';
import { groupSamples, indexCells, metricBetter } from './group.js';
import { compareOrMissing } from './row.js';
import type { ComparisonRow } from './types.js';

export interface CompareSetsOptions {
  metric: string;
  alpha: number;
  seed: number;
  level?: number;
  iterations?: number;
}

/**
 * One row per cell key found in A or B (A's order first): `ok` rows for cells
 * with `ok` measurements of the metric on both sides, `missing` rows for the
 * rest (including cells whose samples all failed on a side).
 */
export function compareSets(a: readonly Sample[], b: readonly Sample[], opts: CompareSetsOptions): ComparisonRow[] {
  const valuesA = groupSamples(a, opts.metric);
  const valuesB = groupSamples(b, opts.metric);
  const cells = new Map([...indexCells(a), ...indexCells(b)].map(([key, info]) => [key, info.cell]));
  const rowOpts = { ...opts, better: metricBetter([...a, ...b], opts.metric) ?? 'higher' };
  return [...cells].map(([cellKey, cell]) =>
    compareOrMissing({ cellKey, baselineKey: cellKey, cell }, valuesA.get(cellKey), valuesB.get(cellKey), rowOpts),
  );
}
