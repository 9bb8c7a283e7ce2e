/**
 * One cell's summary: descriptive statistics, the order-statistic CI of the
 * median, outliers, and the warnings that qualify them. Values must be in
 * repetition order (the first one is checked for warm-up effects).
 */
import { bimodality } from './bimodal.js';
import { describe, median, type Descriptive } from './descriptive.js';
import { medianCi, minSamplesForMedianCi, type MedianCi } from './median-ci.js';
import { minSamplesPerSide } from './min-samples.js';
import { modifiedZOutliers } from './outliers.js';
import { stealThatMatters } from './steal-impact.js';
import type { StatDiagnostic } from '../model/diagnostic.js';

/** Defaults, documented in docs/statistics.md. */
export const CELL_DEFAULTS = {
  level: 0.95,
  /** 5 %: the same size as the gate's default minimum effect. */
  cvThreshold: 0.05,
  /** 10 %: twice the noise level called high, so ordinary noise does not trigger it. */
  firstSlowThreshold: 0.1,
} as const;

export interface SummarizeOptions {
  /** CI level, default 0.95. */
  level?: number;
  /** When given, warn if n is below what a two-sided MWU needs at this α. */
  alpha?: number;
  cvThreshold?: number;
  firstSlowThreshold?: number;
  /** Direction of improvement, for the warm-up check; default 'higher'. */
  better?: 'higher' | 'lower';
  /**
   * CPU steal time in percent during the measurements (host /proc/stat over
   * the fio windows), from the caller; warned when it matters against the
   * cell's CV (or, without a spread, `cvThreshold` as the minimum effect).
   */
  stealPct?: number;
}

export interface CellStats extends Descriptive {
  ci: MedianCi | null;
  /** Indices (repetition order) of outlying values. */
  outliers: number[];
  warnings: StatDiagnostic[];
}

function firstSampleSlow(
  values: readonly number[],
  better: 'higher' | 'lower',
  threshold: number,
): StatDiagnostic | null {
  if (values.length < 3) return null;
  const first = values[0] ?? NaN;
  const medianOfRest = median(values.slice(1));
  if (!(medianOfRest > 0)) return null;
  const slowerBy = better === 'higher' ? (medianOfRest - first) / medianOfRest : (first - medianOfRest) / medianOfRest;
  return slowerBy > threshold ? { kind: 'FirstSampleSlow', first, medianOfRest, slowerBy, threshold } : null;
}

export function summarizeCell(values: readonly number[], opts: SummarizeOptions = {}): CellStats {
  const level = opts.level ?? CELL_DEFAULTS.level;
  const cvThreshold = opts.cvThreshold ?? CELL_DEFAULTS.cvThreshold;
  const d = describe(values);
  const ciResult = medianCi(values, level);
  const outliers = modifiedZOutliers(values).indices;
  const warnings: StatDiagnostic[] = [];

  if (ciResult.ci === null) {
    warnings.push({ kind: 'TooFewSamples', purpose: 'ci', n: d.n, needed: minSamplesForMedianCi(level), level });
  }
  if (opts.alpha !== undefined) {
    const needed = minSamplesPerSide(opts.alpha);
    if (d.n < needed) warnings.push({ kind: 'TooFewSamples', purpose: 'test', n: d.n, needed, alpha: opts.alpha });
  }
  if (d.cv > cvThreshold) warnings.push({ kind: 'HighCv', cv: d.cv, threshold: cvThreshold });
  if (outliers.length > 0) warnings.push({ kind: 'OutliersPresent', indices: outliers, n: d.n });
  const slow = firstSampleSlow(
    values,
    opts.better ?? 'higher',
    opts.firstSlowThreshold ?? CELL_DEFAULTS.firstSlowThreshold,
  );
  if (slow) warnings.push(slow);
  const bi = bimodality(values);
  if (bi.bimodal && bi.split) warnings.push({ kind: 'Bimodal', ...bi.split });
  // Steal only matters against what the cell resolves anyway: its spread, or the minimum effect (steal-impact.ts).
  const steal = stealThatMatters(opts.stealPct, d, cvThreshold);
  if (steal) warnings.push({ kind: 'HighSteal', ...steal });

  return { ...d, ci: ciResult.ci, outliers, warnings };
}
