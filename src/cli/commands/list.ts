/** `vblk-bench list [results/]`: the stored runs, newest first, with date, profile, accel, cells and status. */
import type { Command } from 'commander';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRun, type StoredRun } from '../../store/run-reader.js';
import { RUN_FILE } from '../../store/layout.js';
import { InputError } from '../../model/errors.js';
import { ExitCode } from '../../model/exit-codes.js';
import type { Exporter } from '../../report/export/exporter.js';
import { exporterFor } from '../../report/export/registry.js';
import { buildRunListing, type RunListing } from '../../report/run-listing.js';
import { reportError } from '../errors.js';
import { formatOption } from '../format-option.js';

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
      out.push({ dir, run: null, error: err instanceof InputError ? err.lines.join('; ') : (err as Error).message });
    }
  }
  const started = (r: ListedRun) => r.run?.manifest.startedAt ?? '';
  return out.sort((a, b) => started(b).localeCompare(started(a)) || b.dir.localeCompare(a.dir));
}

export function registerListCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('list')
    .description('list the stored runs in a results directory, newest first')
    .argument('[results]', 'parent directory of results directories', 'results')
    .option('--profile <name>', 'only runs of this profile')
    .addOption(formatOption('runs'))
    .option('--json', 'the same as --format json')
    .action(async (parent: string, options: { profile?: string; json?: boolean; format: Exporter<RunListing> }) => {
      try {
        const runs = (await findRuns(parent)).filter((r) => !options.profile || r.run?.manifest.profileName === options.profile);
        if (runs.length === 0) process.stderr.write(`no runs in ${parent}\n`);
        const format = options.json ? exporterFor('runs', 'json') : options.format;
        process.stdout.write(format.render(buildRunListing(runs), { color: process.stdout.isTTY }));
        setExit(runs.some((r) => !r.run) ? ExitCode.Partial : ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
