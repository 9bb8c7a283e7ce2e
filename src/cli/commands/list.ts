/** `vblk-bench list [results/]`: the stored runs, newest first, with date, profile, accel, cells and status. */
import type { Command } from 'commander';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRun, type StoredRun } from '../../store/run-reader.js';
import { RUN_FILE } from '../../store/layout.js';
import { InputError } from '../../model/errors.js';
import { ExitCode } from '../../model/exit-codes.js';
import { alignColumns, formatTimestamp } from '../../report/format.js';
import { wholenessStatus } from '../../store/wholeness.js';
import { printable } from '../../util/file-read.js';
import { reportError } from '../errors.js';

export interface ListedRun {
  dir: string;
  run: StoredRun | null;
  /** Why the directory could not be read. */
  error?: string;
}

/** Every subdirectory holding a run.json, read; unreadable ones keep their reason. Newest first. */
export async function findRuns(parent: string): Promise<ListedRun[]> {
  const info = await stat(parent).catch(() => null);
  if (!info?.isDirectory()) throw new InputError(`${parent}: not a directory`);
  const out: ListedRun[] = [];
  for (const name of (await readdir(parent)).sort()) {
    const dir = join(parent, name);
    if (!(await stat(join(dir, RUN_FILE)).catch(() => null))) continue;
    try {
      out.push({ dir, run: await loadRun(dir) });
    } catch (err) {
      // One unreadable run must not stop the listing; anything but bad input is still a bug.
      if (!(err instanceof InputError)) throw err;
      out.push({ dir, run: null, error: err.lines.join('; ') });
    }
  }
  const started = (r: ListedRun) => r.run?.manifest.startedAt ?? '';
  return out.sort((a, b) => started(b).localeCompare(started(a)) || b.dir.localeCompare(a.dir));
}

export function listRows(runs: readonly ListedRun[]): string[][] {
  const rows = [['date', 'profile', 'accel', 'cells', 'samples', 'status', 'directory']];
  for (const r of runs) {
    if (!r.run) {
      rows.push(['—', '—', '—', '—', '—', `unreadable: ${r.error ?? ''}`, printable(r.dir)]);
      continue;
    }
    const m = r.run.manifest;
    const cells = new Set(r.run.samples.map((s) => s.cellKey)).size;
    const ok = r.run.samples.filter((s) => s.status === 'ok').length;
    const notOk = r.run.samples.length - ok;
    const whole = wholenessStatus(r.run);
    const status = whole === 'complete' && notOk > 0 ? `complete, ${notOk} not ok` : whole;
    rows.push([formatTimestamp(m.startedAt), m.profileName, m.accel, String(cells), `${ok} ok/${r.run.completeness?.planned ?? m.plannedSamples}`, status, printable(r.dir)]);
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
        // Damaged or missing data in a run that claims complete is never exit 0 (an honestly incomplete run is listed as such).
        const damaged = runs.some((r) => !r.run || (r.run.diagnostics?.length ?? 0) > 0);
        setExit(damaged ? ExitCode.Partial : ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
