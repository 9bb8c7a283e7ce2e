/** Shared by the commands that read stored runs: say which runs are not whole (src/store/wholeness.ts). */
import type { StoredRun } from '../store/run-reader.js';
import { diagnosticLines, explain, hint, severityOf, type StoredDiagnostic } from '../model/diagnostic.js';
import { isWhole, type ReadSet } from '../store/wholeness.js';

/** Diagnostics shown per result set; the rest are counted. */
const MAX_DIAGNOSTICS_SHOWN = 10;

/** `warning:` lines for what a reader skipped or found missing, capped, with one hint per kind. */
export function warnStoredDiagnostics(label: string, diagnostics: readonly StoredDiagnostic[]): void {
  for (const d of diagnostics.slice(0, MAX_DIAGNOSTICS_SHOWN))
    process.stderr.write(`${severityOf(d)}: ${explain(d)}\n`);
  if (diagnostics.length > MAX_DIAGNOSTICS_SHOWN)
    process.stderr.write(
      `warning: ${label}: and ${diagnostics.length - MAX_DIAGNOSTICS_SHOWN} more problem(s) of its stored files\n`,
    );
  // One hint per kind of advice, after the lines it is about.
  for (const text of new Set(diagnostics.map(hint))) process.stderr.write(`hint: ${text}\n`);
}

/**
 * Warns on stderr about every run that is not whole (stored incomplete,
 * planned samples without a valid record, skipped files); true when there
 * was one (exit 3 territory: never 0 on missing data).
 */
export function warnIncompleteRuns(runs: readonly (Pick<StoredRun, 'dir'> & ReadSet)[]): boolean {
  let any = false;
  for (const run of runs) {
    if (isWhole(run)) continue;
    any = true;
    if (run.manifest.status !== 'complete') {
      const missing = run.completeness
        ? `${run.completeness.missing.length} of ${run.completeness.planned} planned samples missing`
        : '';
      const stopReason = [run.manifest.stopReason, missing].filter(Boolean).join('; ') || null;
      for (const line of diagnosticLines({ kind: 'RunIncomplete', run: run.dir, dir: run.dir, stopReason }))
        process.stderr.write(`${line}\n`);
    }
    warnStoredDiagnostics(run.dir, run.diagnostics ?? []);
  }
  return any;
}
