/** `vblk-bench list [results/]`: the stored runs, newest first, with date, profile, accel, cells and status. */
import type { Command } from 'commander';
import { openIndexFor } from '../results-index.js';
import { ExitCode } from '../../model/exit-codes.js';
import type { Exporter } from '../../report/export/exporter.js';
import { exporterFor } from '../../report/export/registry.js';
import { buildPublishedListing, buildRunListing, type RunListing } from '../../report/run-listing.js';
import { listingFromDb } from '../../store/pg/read-runs.js';
import type { DbSource } from '../../store/pg/connection.js';
import { addDbOptions, dbSourceOf, type DbOptions } from '../db-options.js';
import { reportError } from '../errors.js';
import { warnIncompleteRuns } from '../run-status.js';
import { printable } from '../../util/file-read.js';
import { diagnosticBlock, type Diagnostic } from '../../model/diagnostic.js';
import { formatOption } from '../format-option.js';

export function registerListCommand(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('list')
    .description('list the stored runs in a results directory, newest first')
    .argument('[results]', 'parent directory of results directories (not with --db)', 'results')
    .option('--profile <name>', 'only runs of this profile')
    .addOption(formatOption('runs'))
    .option('--json', 'the same as --format json')
    .option('--no-index', 'read every run directory instead of the results index in the user cache');
  addDbOptions(command, 'the runs (with their ids; shards of a published merged run are not listed)').action(
    async (parent: string, options: ListOptions) => {
      try {
        const db = await dbSourceOf(options);
        if (db) {
          setExit(await listPublishedRuns(db, options));
          return;
        }
        // Overviews from the results index (docs/results-store.md): manifests and counts, never a sample.
        const index = await openIndexFor(parent, { index: options.index });
        const runs = index.runs.filter((r) => !options.profile || r.overview?.manifest.profileName === options.profile);
        if (runs.length === 0) process.stderr.write(`no runs in ${parent}\n`);
        const format = options.json ? exporterFor('runs', 'json') : options.format;
        process.stdout.write(format.render(buildRunListing(runs), { color: process.stdout.isTTY }));
        // Never exit 0 on missing data: an unreadable run, or one that is not whole, is also said on stderr.
        const unreadable = runs.flatMap((r): Diagnostic[] =>
          r.overview ? [] : [{ kind: 'RunUnreadable', dir: printable(r.dir), error: r.error ?? 'unreadable' }],
        );
        for (const line of diagnosticBlock(unreadable)) process.stderr.write(`${line}\n`);
        const notWhole = warnIncompleteRuns(runs.flatMap((r) => (r.overview ? [{ dir: r.dir, ...r.overview }] : [])));
        setExit(notWhole || runs.some((r) => !r.overview) ? ExitCode.Partial : ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    },
  );
}

interface ListOptions extends DbOptions {
  profile?: string;
  json?: boolean;
  index: boolean;
  format: Exporter<RunListing>;
}

/** `list --db`: the counted runs of the database, from its stored counts (no sample is read). */
async function listPublishedRuns(db: DbSource, options: ListOptions): Promise<number> {
  const rows = await listingFromDb(db, options.profile);
  if (rows.length === 0) process.stderr.write('no runs in the database\n');
  const format = options.json ? exporterFor('runs', 'json') : options.format;
  process.stdout.write(format.render(buildPublishedListing(rows), { color: process.stdout.isTTY }));
  const notWhole = warnIncompleteRuns(rows.map((r) => ({ ...r, dir: r.label })));
  return notWhole ? ExitCode.Partial : ExitCode.Success;
}
