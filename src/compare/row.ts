/** The comparison of two value sets, shared by set and within-run comparisons. */
import type { CellValues } from '../model/sample.js';
import { summarizeCell } from '../stats/cell-stats.js';
import { mannWhitney } from '../stats/mann-whitney.js';
import { deltaInterval } from './delta-ci.js';
import type { ComparedRow, ComparisonRow, MissingRow } from './types.js';

export interface RowOptions {
  alpha: number;
  seed: number;
  better?: 'higher' | 'lower';
  /** CI level for medians and the delta, default 0.95. */
  level?: number;
  /** Bootstrap resamples, default 2000. */
  iterations?: number;
}

export function compareValues(
  ids: { cellKey: string; baselineKey: string; cell: CellValues },
  a: readonly number[],
  b: readonly number[],
  opts: RowOptions,
): ComparedRow {
  const summarize = { alpha: opts.alpha, better: opts.better ?? 'higher', level: opts.level ?? 0.95 } as const;
  const sa = summarizeCell(a, summarize);
  const sb = summarizeCell(b, summarize);
  const mw = mannWhitney(a, b);
  const significant = mw.p < opts.alpha;
  const delta = deltaInterval(a, b, {
    seed: opts.seed,
    key: `${ids.baselineKey}|${ids.cellKey}`,
    level: summarize.level,
    iterations: opts.iterations,
  });
  return {
    status: 'ok',
    ...ids,
    a: sa,
    b: sb,
    deltaPct: sa.median === 0 ? NaN : (sb.median / sa.median - 1) * 100,
    deltaCi: delta.ci,
    deltaCiReason: delta.reason,
    u: mw.u,
    p: mw.p,
    method: mw.method,
    minP: mw.minP,
    significant,
    marker: significant ? '' : '~',
  };
}

/**
 * A comparison when both sides have values, else a `missing` row that keeps
 * the summary of the side that was measured.
 */
export function compareOrMissing(
  ids: { cellKey: string; baselineKey: string; cell: CellValues },
  a: readonly number[] | undefined,
  b: readonly number[] | undefined,
  opts: RowOptions,
): ComparisonRow {
  if (a && b) return compareValues(ids, a, b, opts);
  const summarize = { alpha: opts.alpha, better: opts.better ?? 'higher', level: opts.level };
  const row: MissingRow = {
    status: 'missing',
    ...ids,
    a: a ? summarizeCell(a, summarize) : null,
    b: b ? summarizeCell(b, summarize) : null,
    missingFrom: a ? 'b' : 'a',
  };
  return row;
}
