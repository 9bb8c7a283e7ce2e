/**
 * Typed diagnostics, after hyperfine's warnings.rs: one union of everything
 * the tool tells a user besides results — failures of samples and run steps,
 * statistical warnings about a cell, and what a run, a comparison or a gate
 * noticed. Each kind has a severity, `explain()` (what happened, with its
 * numbers) and `hint()` (what to do), from one table keyed by kind, so no
 * message is ever parsed to find its hint. Reference: docs/diagnostics.md.
 */
import type { Sample } from './sample.js';
import type { KindText, Severity } from './diagnostics/kind-text.js';
import { STAT_TEXTS, type StatDiagnostic } from './diagnostics/stats.js';
import { FAILURE_TEXTS, type FailureDiagnostic } from './diagnostics/failures.js';
import { STORED_TEXTS, type StoredDiagnostic } from './diagnostics/stored.js';

export type { Severity } from './diagnostics/kind-text.js';
export type { StatDiagnostic, StatDiagnosticKind } from './diagnostics/stats.js';
export { FAILURE_KINDS, type FailureDiagnostic, type FailureKind } from './diagnostics/failures.js';
export type { SampleSlot, StoredDiagnostic, StoredDiagnosticKind } from './diagnostics/stored.js';

export type Diagnostic = StatDiagnostic | FailureDiagnostic | StoredDiagnostic;
export type DiagnosticKind = Diagnostic['kind'];

const TABLE = { ...STAT_TEXTS, ...FAILURE_TEXTS, ...STORED_TEXTS };

/** Every kind, for docs and tests. */
export const DIAGNOSTIC_KINDS = Object.keys(TABLE) as DiagnosticKind[];

const textOf = <D extends Diagnostic>(d: D): KindText<D> => TABLE[d.kind as DiagnosticKind] as unknown as KindText<D>;

export const severityOf = (d: Diagnostic): Severity => textOf(d).severity;
export const explain = (d: Diagnostic): string => textOf(d).explain(d);
export const hint = (d: Diagnostic): string => textOf(d).hint(d);

/** Explanation and hint as one paragraph, for views without room for a separate hint line. */
export const diagnosticText = (d: Diagnostic): string => `${explain(d)} Hint: ${hint(d)}`;

/** `warning: <prefix><explanation>` and `hint: <what to do>`: how a terminal shows one diagnostic. */
export function diagnosticLines(d: Diagnostic, prefix = ''): [string, string] {
  return [`${severityOf(d)}: ${prefix}${explain(d)}`, `hint: ${hint(d)}`];
}

/**
 * The failure of a sample that is not `ok`, or null. Samples stored before
 * failure kinds existed have none: `invalid` and `unsupported` still say
 * which kind they are; an old `failed` one is UnclassifiedFailure.
 */
export function sampleFailure(s: Pick<Sample, 'status' | 'reason' | 'failureKind'>): FailureDiagnostic | null {
  if (s.status === 'ok') return null;
  const kind = s.failureKind ?? (s.status === 'invalid' ? 'ConfigMismatch' : s.status === 'unsupported' ? 'CellUnsupported' : 'UnclassifiedFailure');
  return { kind, reason: s.reason ?? s.status };
}
