/** Rows produced by the comparison commands. */
import type { CellValues } from '../model/sample.js';
import type { CellStats } from '../stats/cell-stats.js';
import type { MwuMethod } from '../stats/mann-whitney.js';

export interface PctInterval {
  low: number;
  high: number;
  level: number;
}

/** Two measured cells, A (baseline) and B (candidate). */
export interface ComparedRow {
  status: 'ok';
  /** Key of the B cell (in a set comparison A and B share it). */
  cellKey: string;
  /** Key of the A cell. */
  baselineKey: string;
  /** Values of the B cell. */
  cell: CellValues;
  a: CellStats;
  b: CellStats;
  /** (median B / median A - 1) · 100; NaN when median A is 0. */
  deltaPct: number;
  /** Seeded percentile-bootstrap CI of the ratio of medians, expressed like deltaPct; null below the rule in delta-ci.ts. */
  deltaCi: PctInterval | null;
  /** Why deltaCi is null (too few values per side, a zero median), else null. */
  deltaCiReason: string | null;
  /** Mann-Whitney U of A vs B (see stats/mann-whitney.ts). */
  u: number;
  p: number;
  method: MwuMethod;
  /** Smallest p the test could give for these sample sizes: when ≥ α, "~" says nothing. */
  minP: number;
  /** p < α (no multiple-comparison correction: compare is exploratory; the gate corrects). */
  significant: boolean;
  /** benchstat's convention: `~` when the difference is not significant. */
  marker: '~' | '';
}

/** A cell measured on one side only. */
export interface MissingRow {
  status: 'missing';
  cellKey: string;
  baselineKey: string;
  cell: CellValues;
  a: CellStats | null;
  b: CellStats | null;
  /** The side without `ok` measurements of the metric. */
  missingFrom: 'a' | 'b';
}

export type ComparisonRow = ComparedRow | MissingRow;
