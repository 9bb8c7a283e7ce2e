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
import { RUN_TEXTS, type RunDiagnostic } from './diagnostics/run.js';
import { COMPARISON_TEXTS, type ComparisonDiagnostic } from './diagnostics/comparison.js';
import { STORED_TEXTS, type StoredDiagnostic } from './diagnostics/stored.js';
import { REPORT_TEXTS, type ReportDiagnostic } from './diagnostics/report.js';

export type { Severity } from './diagnostics/kind-text.js';
export type { StatDiagnostic, StatDiagnosticKind } from './diagnostics/stats.js';
export { FAILURE_KINDS, type FailureDiagnostic, type FailureKind } from './diagnostics/failures.js';
export type { KvmCause, RunDiagnostic } from './diagnostics/run.js';
export type { ComparisonDiagnostic } from './diagnostics/comparison.js';
export type { SampleSlot, StoredDiagnostic, StoredDiagnosticKind } from './diagnostics/stored.js';
export type { ReportDiagnostic } from './diagnostics/report.js';

export type Diagnostic =
  StatDiagnostic | FailureDiagnostic | RunDiagnostic | ComparisonDiagnostic | StoredDiagnostic | ReportDiagnostic;
export type DiagnosticKind = Diagnostic['kind'];

const TABLE = { ...STAT_TEXTS, ...FAILURE_TEXTS, ...RUN_TEXTS, ...COMPARISON_TEXTS, ...STORED_TEXTS, ...REPORT_TEXTS };

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
 * Terminal lines for several diagnostics: grouped by kind (in order of first
 * appearance), each `severity: explanation`, one `hint:` after each kind.
 */
export function diagnosticBlock(list: readonly Diagnostic[]): string[] {
  const kinds = [...new Set(list.map((d) => d.kind))];
  return kinds.flatMap((kind) => {
    const ofKind = list.filter((d) => d.kind === kind);
    return [...ofKind.map((d) => diagnosticLines(d)[0]), diagnosticLines(ofKind[0]!)[1]];
  });
}

/** The kinds run.json stores in `warnings`: what qualifies every result of the run (schema: src/model/schemas/manifest.ts). */
export type RunWarning = Extract<
  Diagnostic,
  { kind: 'TcgEmulation' | 'KvmUnusable' | 'CellUnsupported' | 'ImportedRun' | 'ImportFileSkipped' }
>;

/** A warning in run.json: a diagnostic, or its text in runs stored before kinds existed. */
export type StoredWarning = RunWarning | string;

/** The diagnostic of a stored warning: old text reads as RecordedText. */
export const storedWarning = (w: StoredWarning): Diagnostic =>
  typeof w === 'string' ? { kind: 'RecordedText', text: w } : w;

/** Distinct diagnostics, first occurrence kept (the same kind with the same fields is one). */
export function uniqueDiagnostics<D extends Diagnostic>(list: readonly D[]): D[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = JSON.stringify(d);
    return !seen.has(key) && (seen.add(key), true);
  });
}

/**
 * The failure of a sample that is not `ok`, or null. Samples stored before
 * failure kinds existed have none: `invalid` and `unsupported` still say
 * which kind they are; an old `failed` one is UnclassifiedFailure.
 */
export function sampleFailure(s: Pick<Sample, 'status' | 'reason' | 'failureKind'>): FailureDiagnostic | null {
  if (s.status === 'ok') return null;
  const kind =
    s.failureKind ??
    (s.status === 'invalid'
      ? 'ConfigMismatch'
      : s.status === 'unsupported'
        ? 'CellUnsupported'
        : 'UnclassifiedFailure');
  return { kind, reason: s.reason ?? s.status };
}
