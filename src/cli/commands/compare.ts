/**
 * `vblk-bench compare <A> <B>`: two result sets cell by cell, benchstat style
 * (A, B, Δ % with its bootstrap interval, Mann-Whitney p, `~` when not
 * significant); `compare <run> --by <axis>` compares one axis inside one run.
 *
 * Exit codes: 0 when every cell was compared; 3 when a cell is missing on one
 * side or the comparison was refused because the measurement environment
 * differs (see stat-options.ts); 2 for bad input. What keeps it from
 * concluding — a refusal, missing cells, sizes that cannot reach α — heads the
 * output with the hint (compare/inconclusive.ts).
 */
import type { Command } from 'commander';
import { ExitCode } from '../../model/exit-codes.js';
import { InputError } from '../../model/errors.js';
import { METRIC } from '../../model/metrics.js';
import { compareSets } from '../../compare/compare-sets.js';
import { compareWithinRun } from '../../compare/within-run.js';
import { compareInconclusive, type Inconclusive } from '../../compare/inconclusive.js';
import { alignSubjectAxes, incompleteness, type ResultSet } from '../../fingerprint/result-set.js';
import { loadResultSetFrom } from '../../fingerprint/published-set.js';
import { addDbOptions, dbSourceOf, type DbOptions } from '../db-options.js';
import type { CompareReport } from '../../report/compare-report.js';
import type { Exporter } from '../../report/export/exporter.js';
import { reportError } from '../errors.js';
import { warnStoredDiagnostics } from '../run-status.js';
import { formatOption } from '../format-option.js';
import { collect, parseFraction, refusalLines } from '../stat-options.js';
import { checkEnvironment } from '../../fingerprint/environment-check.js';
import { diagnosticBlock, type ComparisonDiagnostic } from '../../model/diagnostic.js';

const COMPARE_DEFAULTS = { metric: METRIC.iops, alpha: 0.05, seed: 1 } as const;

interface CompareOptions extends DbOptions {
  metric: string;
  alpha: string;
  by?: string;
  baseline?: string;
  subject?: string[];
  allowEnvMismatch?: boolean;
  format: Exporter<CompareReport>;
}

export function registerCompareCommand(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('compare')
    .description(
      'compare two result sets (results directories or baseline files) cell by cell, or one axis inside one run (--by)',
    )
    .argument('<A>', 'baseline: results directory or baseline file (with --db also a run id or latest:<profile>)')
    .argument('[B]', 'candidate: results directory or baseline file, or a run id with --db (omit with --by)')
    .option('--metric <name>', 'metric to compare', COMPARE_DEFAULTS.metric)
    .option(
      '--alpha <p>',
      'significance level of the Mann-Whitney test (uncorrected: exploratory)',
      String(COMPARE_DEFAULTS.alpha),
    )
    .option('--by <axis>', 'compare inside one run: each value of <axis> against --baseline, all other axes equal')
    .option('--baseline <value>', 'with --by: the reference value of the axis (default: its first value in the run)')
    .option(
      '--subject <path>',
      'what the comparison is about (repeatable), e.g. qemu.binary, guest.kernel, matrix.backend',
      collect,
    )
    .option('--allow-env-mismatch', 'compare even when the measurement environment differs (differences are listed)')
    .addOption(formatOption('compare'));
  addDbOptions(command, 'read A or B given as a run id or latest:<profile>').action(
    async (a: string, b: string | undefined, options: CompareOptions) => {
      try {
        setExit(await compareCommand(a, b, options));
      } catch (err) {
        setExit(reportError(err));
      }
    },
  );
}

function withinRun(
  set: ResultSet,
  axis: string,
  baseline: string | undefined,
  metric: string,
  alpha: number,
): CompareReport {
  const values = [
    ...new Set(
      set.samples
        .map((s) => s.cell[axis])
        .filter((v) => v !== undefined)
        .map(String),
    ),
  ];
  if (values.length === 0) throw new InputError(`--by ${axis}: no cell of ${set.label} has the axis ${axis}`);
  const reference = baseline ?? values[0] ?? '';
  if (!values.includes(reference))
    throw new InputError(`--baseline ${reference}: ${axis} takes ${values.join(', ')} in ${set.label}`);
  if (values.length < 2)
    throw new InputError(`--by ${axis}: ${set.label} has only ${axis}=${reference}; nothing to compare`);
  const rows = compareWithinRun(set.samples, { axis, baseline: reference, metric, alpha, seed: COMPARE_DEFAULTS.seed });
  const others = values.filter((v) => v !== reference).join(', ');
  const header = {
    a: `${axis}=${reference}`,
    b: `${axis}=${others}`,
    metric,
    alpha,
    run: set.label,
    diagnostics: [],
    omitAxis: values.length === 2 ? axis : undefined,
  };
  return { header, rows, refused: [] };
}

function twoSets(a: ResultSet, b: ResultSet, options: CompareOptions, alpha: number): CompareReport {
  const subjects = options.subject ?? [];
  const env = checkEnvironment(a, b, subjects, options.allowEnvMismatch === true);
  const aligned = alignSubjectAxes(a.samples, b.samples, subjects);
  const diagnostics = [
    ...env.diagnostics,
    ...aligned.folded.map((axis): ComparisonDiagnostic => ({ kind: 'SubjectAxisFolded', axis })),
  ];
  const rows = compareSets(aligned.a, aligned.b, { metric: options.metric, alpha, seed: COMPARE_DEFAULTS.seed });
  return {
    header: { a: a.label, b: b.label, metric: options.metric, alpha, diagnostics },
    rows,
    refused: env.mismatch,
  };
}

async function compareCommand(pathA: string, pathB: string | undefined, options: CompareOptions): Promise<number> {
  const alpha = parseFraction('--alpha', options.alpha);
  if (options.baseline !== undefined && !options.by) throw new InputError('--baseline: only with --by <axis>');
  if (options.by && pathB) throw new InputError('--by compares inside one run: give one results directory, not two');
  if (!options.by && !pathB) throw new InputError('compare: give two result sets (A and B), or one with --by <axis>');

  const db = await dbSourceOf(options);
  const a = await loadResultSetFrom(pathA, db);
  const b = options.by ? null : await loadResultSetFrom(pathB ?? '', db);
  const sets = b ? [a, b] : [a];
  for (const set of sets) warnStoredDiagnostics(set.label, set.diagnostics);
  const cmp = b
    ? twoSets(a, b, options, alpha)
    : withinRun(a, options.by ?? '', options.baseline, options.metric, alpha);
  // Sets that are not whole (interrupted, planned samples without a valid record, skipped files): never a clean exit.
  const incomplete = b
    ? [...incompleteness(a, 'baseline (A)'), ...incompleteness(b, 'candidate (B)')]
    : incompleteness(a, 'run');

  if (cmp.refused.length > 0) {
    // The refusal is on stderr; only the JSON document has a refused form (the table and Markdown have no rows to show).
    const [headline, ...details] = refusalLines('compare', cmp.refused);
    for (const line of [headline, ...diagnosticBlock(cmp.header.diagnostics), ...details])
      process.stderr.write(`${line}\n`);
    const refused = {
      ...cmp,
      rows: [],
      header: { ...cmp.header, inconclusive: [{ kind: 'environment' as const, differences: cmp.refused }] },
    };
    process.stdout.write(options.format.render(refused, { color: process.stdout.isTTY }));
    return ExitCode.Partial;
  }
  if (cmp.rows.length === 0) throw new InputError(`no cell has ${options.metric} values to compare`);
  const whole: Inconclusive[] = incomplete.length ? [{ kind: 'incomplete', sets: incomplete }] : [];
  cmp.header.inconclusive = [...whole, ...compareInconclusive(cmp.rows, { metric: options.metric, alpha })];
  process.stdout.write(options.format.render(cmp, { color: process.stdout.isTTY }));
  return cmp.rows.some((r) => r.status === 'missing') || incomplete.length > 0 ? ExitCode.Partial : ExitCode.Success;
}
