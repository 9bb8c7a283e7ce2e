/** A-vs-B comparison of two stored runs, cell by cell (benchstat's model). */
import type { Sample } from '../model/sample.js';
import { summarizeCell } from '../stats/cell-stats.js';
import { groupSamples, indexCells, metricBetter } from './group.js';
import { compareValues } from './row.js';
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
  return keys.map((cellKey): ComparisonRow => {
    const cell = cells.get(cellKey) ?? {};
    const va = valuesA.get(cellKey);
    const vb = valuesB.get(cellKey);
    const ids = { cellKey, baselineKey: cellKey, cell };
    if (va && vb) return compareValues(ids, va, vb, { ...opts, better });
    const summarize = { alpha: opts.alpha, better, level: opts.level };
    return {
      status: 'missing',
      ...ids,
      a: va ? summarizeCell(va, summarize) : null,
      b: vb ? summarizeCell(vb, summarize) : null,
      missingFrom: va ? 'b' : 'a',
    };
  });
}
