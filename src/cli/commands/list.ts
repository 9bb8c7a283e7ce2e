/** `vblk-bench list [results/]`: the stored runs, newest first, with date, profile, accel, cells and status. */
import type { Command } from 'commander';
import { findRuns, type ListedRun } from '../../store/find-runs.js';
import { ExitCode } from '../../model/exit-codes.js';
import { alignColumns, formatTimestamp } from '../../report/format.js';
import { reportError } from '../errors.js';

export function listRows(runs: readonly ListedRun[]): string[][] {
  const rows = [['date', 'profile', 'accel', 'cells', 'samples', 'status', 'directory']];
  for (const r of runs) {
    if (!r.run) {
      rows.push(['—', '—', '—', '—', '—', `unreadable: ${r.error ?? ''}`, r.dir]);
      continue;
    }
    const m = r.run.manifest;
    const cells = new Set(r.run.samples.map((s) => s.cellKey)).size;
    const ok = r.run.samples.filter((s) => s.status === 'ok').length;
    const notOk = r.run.samples.length - ok;
    const status = m.status === 'complete' && notOk > 0 ? `complete, ${notOk} not ok` : m.status;
    rows.push([formatTimestamp(m.startedAt), m.profileName, m.accel, String(cells), `${ok} ok/${m.plannedSamples}`, status, r.dir]);
  }
  return rows;
}

export function registerListCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('list')
    .description('list the stored runs in a results directory, newest first')
    .argument('[results]', 'parent directory of results directories', 'results')
    .option('--profile <name>', 'only runs of this profile')
    .option('--json', 'machine-readable output')
    .action(async (parent: string, options: { profile?: string; json?: boolean }) => {
      try {
        const runs = (await findRuns(parent)).filter((r) => !options.profile || r.run?.manifest.profileName === options.profile);
        if (options.json) {
          const doc = runs.map((r) => (r.run ? { dir: r.dir, manifest: r.run.manifest, cells: new Set(r.run.samples.map((s) => s.cellKey)).size, samples: r.run.samples.length } : { dir: r.dir, error: r.error }));
          process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
        } else if (runs.length === 0) {
          process.stderr.write(`no runs in ${parent}\n`);
        } else {
          process.stdout.write(`${alignColumns(listRows(runs))}\n`);
        }
        setExit(runs.some((r) => !r.run) ? ExitCode.Partial : ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
