/**
 * Whether a stored result set is whole — every planned sample has one valid
 * record, no stored file was skipped, and run.json says complete — and the
 * one-line description of why not that every offline command reports.
 */
import type { RunManifest } from './manifest.js';
import type { Completeness } from './completeness.js';
import type { StoredDiagnostic } from '../model/diagnostic.js';

export interface ReadSet {
  manifest: Pick<RunManifest, 'status' | 'stopReason'>;
  diagnostics?: readonly StoredDiagnostic[];
  completeness?: Completeness;
}

export function isWhole(set: ReadSet): boolean {
  return (
    set.manifest.status === 'complete' &&
    (set.completeness?.missing.length ?? 0) === 0 &&
    (set.diagnostics?.length ?? 0) === 0
  );
}

/** `complete`, `incomplete`, or `complete, 1 of 24 missing, 2 file(s) skipped`: the status column of `list`. */
export function wholenessStatus(set: ReadSet): string {
  const parts: string[] = [set.manifest.status];
  const missing = set.completeness?.missing.length ?? 0;
  if (missing > 0) parts.push(`${missing} of ${set.completeness?.planned} missing`);
  const skipped = (set.diagnostics ?? []).filter((d) => d.kind !== 'MissingSamples').length;
  if (skipped > 0) parts.push(`${skipped} file(s) skipped`);
  return parts.join(', ');
}
