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
 * One row per cell key found in A or B: `ok` rows for cells with measurements
 * on both sides (A's order first), `missing` rows for the rest.
 */
export function compareSets(a: readonly Sample[], b: readonly Sample[], opts: CompareSetsOptions): ComparisonRow[] {
  const valuesA = groupSamples(a, opts.metric);
  const valuesB = groupSamples(b, opts.metric);
  const cells = new Map([...indexCells(a), ...indexCells(b)].map(([k, info]) => [k, info.cell]));
  const keys = [...new Set([...valuesA.keys(), ...valuesB.keys()])];
  const better = metricBetter([...a, ...b], opts.metric) ?? 'higher';
  return keys.map((cellKey) =>
    compareOrMissing({ cellKey, baselineKey: cellKey, cell: cells.get(cellKey) ?? {} }, valuesA.get(cellKey), valuesB.get(cellKey), {
      ...opts,
      better,
    }),
  );
}
