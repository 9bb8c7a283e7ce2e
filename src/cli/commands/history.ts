/** `vblk-bench history <results> --profile <name>`: nightly medians per cell, change points, text (email) or HTML. */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import type { ReadSet } from '../../store/wholeness.js';
import { historyRunsFromDb } from '../../store/pg/read-runs.js';
import { OBSERVED_FIELDS } from '../../fingerprint/environment.js';
import { addDbOptions, dbSourceOf, type DbOptions } from '../db-options.js';
import { buildHistoryOf, type HistoryReport, type HistorySource } from '../../history/history.js';
import { digestOfPublished } from '../../history/published-digest.js';
import { unpackPoints } from '../../history/run-digest.js';
import { openIndexFor } from '../results-index.js';
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
  index: boolean;
}

type HistoryRunSet = { sources: HistorySource[]; runs: (ReadSet & { dir: string })[]; skipped: boolean };

function positive(name: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (!(n > 0) || (integer && !Number.isInteger(n)))
    throw new InputError(`${name}: expected a positive ${integer ? 'integer' : 'number'}, got ${text}`);
  return n;
}

/**
 * The runs of one profile under `parent`, oldest first, from the results
 * index (docs/results-store.md): each run's overview and history digest,
 * never its samples; whether a run could not be read (said on stderr).
 */
async function runsUnder(
  parent: string,
  profile: string,
  metric: string,
  last: number | undefined,
  index: boolean,
): Promise<HistoryRunSet> {
  const opened = await openIndexFor(parent, { index });
  const unreadable = opened.runs.flatMap((r): Diagnostic[] =>
    r.overview ? [] : [{ kind: 'RunUnreadable', dir: r.dir, error: r.error ?? 'unreadable' }],
  );
  for (const line of diagnosticBlock(unreadable)) process.stderr.write(`${line}\n`);
  const all = opened.runs.filter((r) => r.overview?.manifest.profileName === profile).reverse();
  const listed = last ? all.slice(-last) : all;
  // A stored digest whose packed points of this metric are damaged is rebuilt from the run.
  const digests = await opened.digests(listed, metric, (d) => unpackPoints(d, metric) !== null);
  const sources: HistorySource[] = listed.map((r, k) => ({
    dir: r.dir,
    manifest: r.overview!.manifest,
    digest: digests[k]!,
  }));
  const runs = listed.map((r) => ({ dir: r.dir, ...r.overview! }));
  return { sources, runs, skipped: unreadable.length > 0 };
}

/** `history --db`: the database's runs, digested like a results directory's. */
async function runsFromDb(
  db: NonNullable<Awaited<ReturnType<typeof dbSourceOf>>>,
  options: HistoryOptions,
  last: number | undefined,
): Promise<HistoryRunSet> {
  const runs = await historyRunsFromDb(db, {
    profile: options.profile,
    metric: options.metric,
    last,
    observedKeys: Object.values(OBSERVED_FIELDS),
  });
  return {
    sources: runs.map((r) => ({ dir: r.label, manifest: r.manifest, digest: digestOfPublished(r, options.metric) })),
    runs: runs.map((r) => ({
      dir: r.label,
      manifest: r.manifest,
      completeness: r.completeness,
      diagnostics: r.diagnostics,
    })),
    skipped: false,
  };
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
    .option('--fail-on-regression', 'exit 1 when the latest change point of any cell is a regression')
    .option('--no-index', 'read every run directory instead of the results index in the user cache');
  addDbOptions(command, 'the runs').action(async (parent: string, options: HistoryOptions) => {
    try {
      const alpha = positive('--alpha', options.alpha, false);
      if (alpha >= 1) throw new InputError(`--alpha: expected a number between 0 and 1, got ${options.alpha}`);
      const last = options.last ? positive('--last', options.last, true) : undefined;
      const db = await dbSourceOf(options);
      const { sources, runs, skipped } = db
        ? await runsFromDb(db, options, last)
        : await runsUnder(parent, options.profile, options.metric, last, options.index);
      if (runs.length === 0) throw new InputError(`${db ? 'database' : parent}: no runs of profile ${options.profile}`);
      const report = buildHistoryOf(sources, {
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
