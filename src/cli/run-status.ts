/** Shared by the commands that render stored runs: say which runs are not whole. */
import type { StoredRun } from '../store/run-reader.js';

/** Warns on stderr about every run that is not `complete`; true when there was one (exit 3 territory). */
export function warnIncompleteRuns(runs: readonly Pick<StoredRun, 'dir' | 'manifest'>[]): boolean {
  let any = false;
  for (const run of runs) {
    if (run.manifest.status === 'complete') continue;
    process.stderr.write(`warning: ${run.dir} is ${run.manifest.status}: ${run.manifest.stopReason ?? ''}\n`);
    any = true;
  }
  return any;
}
