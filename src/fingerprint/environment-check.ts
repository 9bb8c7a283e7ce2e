/**
 * The environment check that compare and gate share: which fingerprint
 * differences are the subject under test, which refuse the comparison, which
 * are only worth a note — and a warning for host CPU steal in either set.
 */
import type { EnvironmentDifference } from '../compare/inconclusive.js';
import { formatNumber } from '../util/number-format.js';
import { checkSubjects, compareFingerprints, describeDiff, type FingerprintComparison } from './environment.js';
import type { ResultSet } from './result-set.js';
import { stealSummary } from './steal.js';

export interface EnvironmentCheck {
  comparison: FingerprintComparison;
  /** Environment differences, empty when none (or when allowed). */
  mismatch: EnvironmentDifference[];
  /** Lines for the user: subject differences, environment differences, informational ones. */
  notes: string[];
}

/**
 * The subject-vs-environment rule: differences in a declared subject are the
 * point; differences in the measurement environment refuse the comparison
 * unless `allow` (then they are listed as warnings); informational fields are
 * listed only.
 */
export function checkEnvironment(a: ResultSet, b: ResultSet, subjects: readonly string[], allow: boolean): EnvironmentCheck {
  checkSubjects(subjects, [a.fingerprint, b.fingerprint]);
  const comparison = compareFingerprints(a.fingerprint, b.fingerprint, subjects);
  const mismatch = comparison.environment.map((d) => ({ path: d.path, text: describeDiff(d) }));
  const env = mismatch.map((d) => d.text);
  const notes = [
    ...comparison.subject.map((d) => `subject under test: ${describeDiff(d)}`),
    ...(allow ? env.map((e) => `warning: environment differs (allowed by --allow-env-mismatch): ${e}`) : []),
    ...comparison.info.map((d) => `note: ${describeDiff(d)}`),
    ...stealWarning(a),
    ...stealWarning(b),
  ];
  if (subjects.length > 0 && comparison.subject.length === 0) notes.push(`note: the declared subject (${subjects.join(', ')}) is the same on both sides`);
  return { comparison, mismatch: allow ? [] : mismatch, notes };
}

/** A warning line when a result set's fio windows saw host CPU steal (see fingerprint/steal.ts). */
function stealWarning(set: ResultSet): string[] {
  const s = stealSummary(set.samples);
  if (!s || s.nonZero === 0) return [];
  return [
    `warning: ${set.label}: host CPU steal during ${s.nonZero} of ${s.n} fio windows (max ${formatNumber(s.max, 2)} %): ` +
      `the hypervisor below ran something else on this machine's CPUs, and the numbers measure that load too`,
  ];
}
