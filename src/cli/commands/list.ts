/** `vblk-bench list [results/]`: the stored runs, newest first, with date, profile, accel, cells and status. */
import type { Command } from 'commander';
import { findRuns } from '../../store/find-runs.js';
import { ExitCode } from '../../model/exit-codes.js';
import type { Exporter } from '../../report/export/exporter.js';
import { exporterFor } from '../../report/export/registry.js';
import { buildRunListing, type RunListing } from '../../report/run-listing.js';
import { reportError } from '../errors.js';
import { warnIncompleteRuns } from '../run-status.js';
import { printable } from '../../util/file-read.js';
import { diagnosticBlock, type Diagnostic } from '../../model/diagnostic.js';
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
        const runs = (await findRuns(parent)).filter(
          (r) => !options.profile || r.run?.manifest.profileName === options.profile,
        );
        if (runs.length === 0) process.stderr.write(`no runs in ${parent}\n`);
        const format = options.json ? exporterFor('runs', 'json') : options.format;
        process.stdout.write(format.render(buildRunListing(runs), { color: process.stdout.isTTY }));
        // Never exit 0 on missing data: an unreadable run, or one that is not whole, is also said on stderr.
        const unreadable = runs.flatMap((r): Diagnostic[] =>
          r.run ? [] : [{ kind: 'RunUnreadable', dir: printable(r.dir), error: r.error ?? 'unreadable' }],
        );
        for (const line of diagnosticBlock(unreadable)) process.stderr.write(`${line}\n`);
        const notWhole = warnIncompleteRuns(runs.flatMap((r) => (r.run ? [r.run] : [])));
        setExit(notWhole || runs.some((r) => !r.run) ? ExitCode.Partial : ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
