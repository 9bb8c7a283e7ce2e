/**
 * `compare`'s one analysis step: two result sets cell by cell, or one axis
 * inside one run (`--by`), into the CompareReport every exporter renders —
 * with the environment check, the subject axes folded, and what keeps the
 * comparison from concluding (incomplete sets first, then compare's own
 * reasons). Loading the sets and printing stay in cli/commands/compare.ts.
 */
import { InputError } from '../model/errors.js';
import { METRIC } from '../model/metrics.js';
import type { ComparisonDiagnostic } from '../model/diagnostic.js';
import { compareSets } from '../compare/compare-sets.js';
import { compareWithinRun } from '../compare/within-run.js';
import { compareInconclusive, type Inconclusive } from '../compare/inconclusive.js';
import { alignSubjectAxes, incompleteness, type ResultSet } from '../fingerprint/result-set.js';
import { checkEnvironment } from '../fingerprint/environment-check.js';
import type { CompareReport } from './compare-report.js';

export const COMPARE_DEFAULTS = { metric: METRIC.iops, alpha: 0.05, seed: 1 } as const;

export interface CompareRequest {
  a: ResultSet;
  /** null: compare inside `a` along `by`. */
  b: ResultSet | null;
  metric: string;
  alpha: number;
  by?: string;
  /** With `by`: the reference value of the axis (default its first value in the run). */
  baseline?: string;
  subjects: readonly string[];
  allowEnvMismatch: boolean;
}

export interface CompareOutcome {
  report: CompareReport;
  /** A set is not whole (interrupted, planned samples missing, files skipped): never a clean exit. */
  incomplete: boolean;
}

function withinRun(
  set: ResultSet,
  axis: string,
  baseline: string | undefined,
  metric: string,
  alpha: number,
): CompareReport {
  const values = [
    ...new Set(
      set.samples
        .map((s) => s.cell[axis])
        .filter((v) => v !== undefined)
        .map(String),
    ),
  ];
  if (values.length === 0) throw new InputError(`--by ${axis}: no cell of ${set.label} has the axis ${axis}`);
  const reference = baseline ?? values[0] ?? '';
  if (!values.includes(reference))
    throw new InputError(`--baseline ${reference}: ${axis} takes ${values.join(', ')} in ${set.label}`);
  if (values.length < 2)
    throw new InputError(`--by ${axis}: ${set.label} has only ${axis}=${reference}; nothing to compare`);
  const rows = compareWithinRun(set.samples, { axis, baseline: reference, metric, alpha, seed: COMPARE_DEFAULTS.seed });
  const others = values.filter((v) => v !== reference).join(', ');
  const header = {
    a: `${axis}=${reference}`,
    b: `${axis}=${others}`,
    metric,
    alpha,
    run: set.label,
    diagnostics: [],
    omitAxis: values.length === 2 ? axis : undefined,
  };
  return { header, rows, refused: [] };
}

function twoSets(a: ResultSet, b: ResultSet, req: CompareRequest): CompareReport {
  const env = checkEnvironment(a, b, req.subjects, req.allowEnvMismatch);
  const aligned = alignSubjectAxes(a.samples, b.samples, req.subjects);
  const diagnostics = [
    ...env.diagnostics,
    ...aligned.folded.map((axis): ComparisonDiagnostic => ({ kind: 'SubjectAxisFolded', axis })),
  ];
  const rows = compareSets(aligned.a, aligned.b, { metric: req.metric, alpha: req.alpha, seed: COMPARE_DEFAULTS.seed });
  return {
    header: { a: a.label, b: b.label, metric: req.metric, alpha: req.alpha, diagnostics },
    rows,
    refused: env.mismatch,
  };
}

/** The comparison a request asks for; a refused one (environment differs) has no rows and no inconclusive reasons yet. */
export function buildCompareReport(req: CompareRequest): CompareOutcome {
  const { a, b } = req;
  if (!b && !req.by) throw new InputError('compare: give two result sets (A and B), or one with --by <axis>');
  const report = b ? twoSets(a, b, req) : withinRun(a, req.by ?? '', req.baseline, req.metric, req.alpha);
  const incomplete = b
    ? [...incompleteness(a, 'baseline (A)'), ...incompleteness(b, 'candidate (B)')]
    : incompleteness(a, 'run');
  if (report.refused.length > 0) return { report, incomplete: incomplete.length > 0 };
  if (report.rows.length === 0) throw new InputError(`no cell has ${req.metric} values to compare`);
  const whole: Inconclusive[] = incomplete.length ? [{ kind: 'incomplete', sets: incomplete }] : [];
  report.header.inconclusive = [
    ...whole,
    ...compareInconclusive(report.rows, { metric: req.metric, alpha: req.alpha }),
  ];
  return { report, incomplete: incomplete.length > 0 };
}
