/**
 * The gate over two result sets: the environment check, the cells paired
 * (subject axes folded), every cell × gated metric judged, and what keeps the
 * sets from being whole counted against a pass.
 */
import type { Sample } from '../model/sample.js';
import type { ComparisonDiagnostic } from '../model/diagnostic.js';
import type { Correction } from '../stats/multiple.js';
import type { EnvironmentDifference } from '../compare/inconclusive.js';
import { checkEnvironment } from '../fingerprint/environment-check.js';
import { alignSubjectAxes, incompleteness, type ResultSet } from '../fingerprint/result-set.js';
import { evaluateGate } from './evaluate.js';
import type { GateMetric, GateOptions, GateResult } from './types.js';

export interface GateSettings {
  metrics: GateMetric[];
  alpha: number;
  correction: Correction;
  /** What differs on purpose (`--subject`). */
  subjects: string[];
  allowEnvMismatch: boolean;
}

export interface JudgedSets {
  result: GateResult;
  /** What qualifies the verdict (src/model/diagnostics/comparison.ts). */
  diagnostics: ComparisonDiagnostic[];
  /** Current-run cell keys by the (possibly subject-folded) keys the gate used. */
  currentKeys: Map<string, string>;
  /** Environment differences that made the result inconclusive (empty when none or allowed). */
  envMismatch: EnvironmentDifference[];
}

/** `onlyCells`: judge only these (baseline-side) cell keys — a confirmation re-run's. */
export function judgeResultSets(
  baseline: ResultSet,
  current: ResultSet,
  s: GateSettings,
  opts: { onlyCells?: ReadonlySet<string> } = {},
): JudgedSets {
  const env = checkEnvironment(baseline, current, s.subjects, s.allowEnvMismatch);
  const aligned = alignSubjectAxes(baseline.samples, current.samples, s.subjects);
  const currentKeys = new Map(aligned.b.map((x, i) => [x.cellKey, current.samples[i]?.cellKey ?? x.cellKey]));
  const keep = (samples: Sample[]) =>
    opts.onlyCells ? samples.filter((x) => opts.onlyCells?.has(x.cellKey)) : samples;
  const gateOptions: GateOptions = {
    metrics: s.metrics,
    alpha: s.alpha,
    correction: s.correction,
    envMismatch: env.mismatch,
    incomplete: [...incompleteness(baseline, 'baseline'), ...incompleteness(current, 'current run')],
  };
  const result = evaluateGate(keep(aligned.a), keep(aligned.b), gateOptions);
  const diagnostics = [
    ...env.diagnostics,
    ...aligned.folded.map((axis): ComparisonDiagnostic => ({ kind: 'SubjectAxisFolded', axis })),
  ];
  return { result, diagnostics, currentKeys, envMismatch: env.mismatch };
}
