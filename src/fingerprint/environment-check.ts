/**
 * The environment check that compare and gate share: which fingerprint
 * differences are the subject under test, which refuse the comparison, which
 * are only worth a note — and a warning for host CPU steal in either set.
 */
import type { EnvironmentDifference } from '../compare/inconclusive.js';
import type { ComparisonDiagnostic } from '../model/diagnostic.js';
import { checkSubjects, compareFingerprints, describeDiff, type FingerprintComparison } from './environment.js';
import type { ResultSet } from './result-set.js';
import { stealThatMattersByCell } from './steal.js';

export interface EnvironmentCheck {
  comparison: FingerprintComparison;
  /** Environment differences, empty when none (or when allowed). */
  mismatch: EnvironmentDifference[];
  /** What the user is told: subject differences, allowed environment differences, informational ones, host steal. */
  diagnostics: ComparisonDiagnostic[];
}

/**
 * The subject-vs-environment rule: differences in a declared subject are the
 * point; differences in the measurement environment refuse the comparison
 * unless `allow` (then they are listed as warnings); informational fields are
 * listed only.
 */
export function checkEnvironment(
  a: ResultSet,
  b: ResultSet,
  subjects: readonly string[],
  allow: boolean,
): EnvironmentCheck {
  checkSubjects(subjects, [a.fingerprint, b.fingerprint]);
  const comparison = compareFingerprints(a.fingerprint, b.fingerprint, subjects);
  const mismatch = comparison.environment.map((d) => ({ path: d.path, text: describeDiff(d) }));
  const diagnostics: ComparisonDiagnostic[] = [
    ...comparison.subject.map((d): ComparisonDiagnostic => ({ kind: 'SubjectDiffers', difference: describeDiff(d) })),
    ...(allow
      ? mismatch.map((m): ComparisonDiagnostic => ({ kind: 'EnvironmentDiffersAllowed', difference: m.text }))
      : []),
    ...comparison.info.map((d): ComparisonDiagnostic => ({
      kind: 'InformationalDiffers',
      difference: describeDiff(d),
    })),
    ...stealWarning(a),
    ...stealWarning(b),
  ];
  if (subjects.length > 0 && comparison.subject.length === 0)
    diagnostics.push({ kind: 'SubjectUnchanged', subjects: [...subjects] });
  return { comparison, mismatch: allow ? [] : mismatch, diagnostics };
}

/** A warning when host CPU steal in a result set's fio windows matters against some cell's spread (fingerprint/steal.ts). */
function stealWarning(set: ResultSet): ComparisonDiagnostic[] {
  const { cells, withSteal } = stealThatMattersByCell(set.samples);
  const worst = cells[0];
  if (!worst) return [];
  return [
    {
      kind: 'SetHasSteal',
      label: set.label,
      cells: cells.length,
      withSteal,
      worstCell: worst.cellKey,
      stealPct: worst.impact.stealPct,
      spreadPct: worst.impact.spreadPct,
      spreadOf: worst.impact.spreadOf,
      ratio: worst.impact.ratio,
    },
  ];
}
