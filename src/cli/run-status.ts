/** Shared by the commands that read stored runs: say which runs are not whole (src/store/wholeness.ts). */
import type { StoredRun } from '../store/run-reader.js';
import { explainStoreDiagnostic, storeDiagnosticHint, type StoreDiagnostic } from '../store/store-diagnostic.js';
import { isWhole, type ReadSet } from '../store/wholeness.js';

/** Diagnostics shown per result set; the rest are counted. */
const MAX_DIAGNOSTICS_SHOWN = 10;

/** `warning:` lines for what a reader skipped or found missing, capped, with one hint per kind. */
export function warnStoreDiagnostics(label: string, diagnostics: readonly StoreDiagnostic[]): void {
  for (const d of diagnostics.slice(0, MAX_DIAGNOSTICS_SHOWN)) process.stderr.write(`warning: ${explainStoreDiagnostic(d)}\n`);
  if (diagnostics.length > MAX_DIAGNOSTICS_SHOWN) process.stderr.write(`warning: ${label}: and ${diagnostics.length - MAX_DIAGNOSTICS_SHOWN} more problem(s) of its stored files\n`);
  const hints = new Set(diagnostics.map(storeDiagnosticHint));
  for (const hint of hints) process.stderr.write(`hint: ${hint}\n`);
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
      const missing = run.completeness ? `: ${run.completeness.missing.length} of ${run.completeness.planned} planned samples missing` : '';
      process.stderr.write(`warning: ${run.dir} is ${run.manifest.status}${run.manifest.stopReason ? ` (${run.manifest.stopReason})` : ''}${missing}\n`);
    }
    warnStoreDiagnostics(run.dir, run.diagnostics ?? []);
  }
  return any;
}
