/** `vblk-bench history <results> --profile <name>`: nightly medians per cell, change points, text (email) or HTML. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { findRuns } from '../../store/find-runs.js';
import type { StoredRun } from '../../store/run-reader.js';
import { historyRunsFromDb } from '../../store/pg/read-runs.js';
import { OBSERVED_FIELDS } from '../../fingerprint/environment.js';
import { addDbOptions, dbSourceOf, type DbOptions } from '../db-options.js';
import { buildHistory, type HistoryReport } from '../../history/history.js';
import type { Exporter } from '../../report/export/exporter.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { InputError } from '../../model/errors.js';
import { ExitCode } from '../../model/exit-codes.js';
import { reportError } from '../errors.js';
import { warnIncompleteRuns } from '../run-status.js';
import { formatOption } from '../format-option.js';
import { diagnosticBlock, type Diagnostic } from '../../model/diagnostic.js';

interface HistoryOptions extends DbOptions {
  profile: string;
  metric: string;
  format: Exporter<HistoryReport>;
  output?: string;
  minSegment: string;
  alpha: string;
  minEffect: string;
  last?: string;
  failOnRegression?: boolean;
}

function positive(name: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (!(n > 0) || (integer && !Number.isInteger(n)))
    throw new InputError(`${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${text}`);
  return n;
}

/** The stored runs of one profile under `parent`, oldest first; whether a run could not be read (said on stderr). */
async function runsUnder(
  parent: string,
  profile: string,
  last: number | undefined,
): Promise<{ runs: StoredRun[]; skipped: boolean }> {
  const found = await findRuns(parent);
  const unreadable = found.flatMap((r): Diagnostic[] =>
    r.run ? [] : [{ kind: 'RunUnreadable', dir: r.dir, error: r.error ?? 'unreadable' }],
  );
  for (const line of diagnosticBlock(unreadable)) process.stderr.write(`${line}\n`);
  const runs = found
    .filter((r) => r.run?.manifest.profileName === profile)
    .map((r) => r.run!)
    .reverse();
  return { runs: last ? runs.slice(-last) : runs, skipped: unreadable.length > 0 };
}

export function registerHistoryCommand(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('history')
    .description('nightly history of one profile: per-cell medians over time, change points, text or HTML report')
    .argument('[results]', 'parent directory of the runs (not with --db)', 'results')
    .requiredOption('-p, --profile <name>', 'profile whose runs form the history')
    .option('--metric <name>', 'metric to follow', 'iops')
    .addOption(formatOption('history'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--min-segment <n>', 'fewest runs on each side of a change point', '4')
    .option('--alpha <alpha>', 'significance level of the change-point test', '0.01')
    .option('--min-effect <pct>', 'a shift of the median counts when it is more than this, in %', '5')
    .option('--last <n>', 'only the latest n runs')
    .option('--fail-on-regression', 'exit 1 when the latest change point of any cell is a regression');
  addDbOptions(command, 'the runs').action(async (parent: string, options: HistoryOptions) => {
    try {
      const alpha = positive('--alpha', options.alpha, false);
      if (alpha >= 1) throw new InputError(`--alpha: expected a number between 0 and 1, got ${options.alpha}`);
      const last = options.last ? positive('--last', options.last, true) : undefined;
      const db = await dbSourceOf(options);
      const { runs, skipped } = db
        ? {
            runs: await historyRunsFromDb(db, {
              profile: options.profile,
              metric: options.metric,
              last,
              observedKeys: Object.values(OBSERVED_FIELDS),
            }),
            skipped: false,
          }
        : await runsUnder(parent, options.profile, last);
      if (runs.length === 0) throw new InputError(`${db ? 'database' : parent}: no runs of profile ${options.profile}`);
      const report = buildHistory(runs, {
        profile: options.profile,
        metric: options.metric,
        minSegment: positive('--min-segment', options.minSegment, true),
        alpha,
        minEffectPct: positive('--min-effect', options.minEffect, false),
      });
      const text = options.format.render(report, { color: !options.output && process.stdout.isTTY });
      if (options.output) {
        await writeFileAtomic(resolve(options.output), text);
        process.stderr.write(`wrote ${options.output}\n`);
      } else process.stdout.write(text);
      const regressed = report.cells.some((h) => h.changes[h.changes.length - 1]?.direction === 'regression');
      // A run that could not be read (it may be of this profile), or one that is not whole, is missing data: never exit 0 on it.
      const notWhole = warnIncompleteRuns(runs);
      setExit(
        options.failOnRegression && regressed
          ? ExitCode.Regression
          : skipped || notWhole
            ? ExitCode.Partial
            : ExitCode.Success,
      );
    } catch (err) {
      setExit(reportError(err));
    }
  });
}
