/** Inputs and outputs of the regression gate. */
import type { CellValues } from '../model/sample.js';
import type { PctInterval } from '../compare/types.js';
import type { EnvironmentDifference, Inconclusive, IncompleteSet } from '../compare/inconclusive.js';
import type { CellStats } from '../stats/cell-stats.js';
import type { MwuMethod } from '../stats/mann-whitney.js';
import type { Correction } from '../stats/multiple.js';

export type GateVerdict = 'pass' | 'regression' | 'inconclusive';

/**
 * - pass: tested, no significant change beyond the minimum effect (or an
 *   insignificant one);
 * - regression / improvement: adjusted p < α and a change beyond the minimum
 *   effect in the worse / better direction;
 * - inconclusive: tested, but the sample sizes cannot reach the corrected α;
 * - missing: no usable measurement on one side;
 * - failed: failed or invalid samples on either side;
 * - unsupported: unsupported on both sides (neutral, not tested).
 */
export type GateCellStatus =
  'pass' | 'regression' | 'improvement' | 'inconclusive' | 'missing' | 'failed' | 'unsupported';

export interface GateMetric {
  name: string;
  /** Smallest change, in % of the baseline median, that counts. */
  minEffectPct: number;
}

export interface GateOptions {
  /** Default: iops 5 %, clat_p99_ns 5 %. */
  metrics?: GateMetric[];
  /** Family-wise (holm) or false-discovery (bh) level, default 0.01. */
  alpha?: number;
  /** Default 'holm'. */
  correction?: Correction;
  /** Bootstrap seed for the delta intervals, default 1. */
  seed?: number;
  /** Environment differences found by the caller (kernel, QEMU, CPU…); any → inconclusive. */
  envMismatch?: EnvironmentDifference[];
  /**
   * Result sets that are not whole (a run interrupted, planned samples never
   * measured), found by the caller: a pass becomes inconclusive; a measured
   * regression still counts.
   */
  incomplete?: IncompleteSet[];
  /** CI level, default 0.95. */
  level?: number;
  /** Bootstrap resamples, default 2000. */
  iterations?: number;
}

export interface GateCell {
  cellKey: string;
  cell: CellValues;
  metric: string;
  better: 'higher' | 'lower';
  minEffectPct: number;
  status: GateCellStatus;
  /** One line: why this status. */
  reason: string;
  baseline: CellStats | null;
  current: CellStats | null;
  /** (current median / baseline median - 1) · 100. */
  deltaPct: number | null;
  deltaCi: PctInterval | null;
  /** Why deltaCi is null when the cell was tested (see compare/delta-ci.ts), else null. */
  deltaCiReason: string | null;
  /** Set when the sample sizes cannot reach α/m: the repetitions per side that can. */
  samplesNeeded: number | null;
  u: number | null;
  p: number | null;
  adjustedP: number | null;
  method: MwuMethod | null;
}

export interface GateResult {
  verdict: GateVerdict;
  cells: GateCell[];
  /**
   * Samples per side (equal sizes) that the exact test needs for its best
   * possible p to fall below α / m, m = number of tests: the level the first
   * step of Holm (and BH with a single change) must beat.
   */
  minSamplesNeeded: number;
  alpha: number;
  correction: Correction;
  /** m: number of cell × metric pairs tested. */
  tests: number;
  /** Every reason as one line: run-level ones, then regressed and unjudged cells. */
  reasons: string[];
  /**
   * What keeps the gate from judging, in precedence order (empty on pass).
   * The first one is the headline's reason when the verdict is inconclusive.
   */
  inconclusive: Inconclusive[];
}
