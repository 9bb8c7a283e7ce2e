/** `vblk-bench list [results/]`: the stored runs, newest first, with date, profile, accel, cells and status. */
import type { Command } from 'commander';
import { findRuns } from '../../store/find-runs.js';
import { ExitCode } from '../../model/exit-codes.js';
import type { Exporter } from '../../report/export/exporter.js';
import { exporterFor } from '../../report/export/registry.js';
import { buildRunListing, type RunListing } from '../../report/run-listing.js';
import { reportError } from '../errors.js';
import { warnStoredDiagnostics } from '../run-status.js';
import { formatOption } from '../format-option.js';

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
        // An unreadable run, or one whose stored files were skipped or lack planned samples it claims, is never exit 0;
        // an honestly incomplete (interrupted) run is listed as such.
        const damaged = runs.some((r) => !r.run || (r.run.diagnostics?.length ?? 0) > 0);
        for (const r of runs) if (r.run?.diagnostics?.length) warnStoredDiagnostics(r.dir, r.run.diagnostics);
        setExit(damaged ? ExitCode.Partial : ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
