/**
 * `vblk-bench compare <A> <B>`: two result sets cell by cell, benchstat style
 * (A, B, Δ % with its bootstrap interval, Mann-Whitney p, `~` when not
 * significant); `compare <run> --by <axis>` compares one axis inside one run.
 *
 * Exit codes: 0 when every cell was compared; 3 when a cell is missing on one
 * side or the comparison was refused because the measurement environment
 * differs (see stat-options.ts); 2 for bad input. What keeps it from
 * concluding — a refusal, missing cells, sizes that cannot reach α — heads the
 * output with what to do (compare/inconclusive.ts).
 */
import type { Command } from 'commander';
import { ExitCode } from '../../model/exit-codes.js';
import { InputError } from '../../model/errors.js';
import { METRIC } from '../../model/sample.js';
import { compareSets } from '../../compare/compare-sets.js';
import { compareWithinRun } from '../../compare/within-run.js';
import type { ComparisonRow } from '../../compare/types.js';
import { compareInconclusive, type EnvironmentDifference, type IncompleteSet, type Inconclusive } from '../../compare/inconclusive.js';
import { alignSubjectAxes, incompleteness, loadResultSet, type ResultSet } from '../../fingerprint/result-set.js';
import { renderCompareMarkdown, renderCompareTable, type CompareHeader } from '../../report/compare-table.js';
import { reportError } from '../errors.js';
import { warnStoreDiagnostics } from '../run-status.js';
import { checkEnvironment, collect, parseChoice, parseFraction, refusalLines } from '../stat-options.js';

const FORMATS = ['table', 'markdown', 'json'] as const;
export const COMPARE_DEFAULTS = { metric: METRIC.iops, alpha: 0.05, seed: 1 } as const;

interface CompareOptions {
  metric: string;
  alpha: string;
  by?: string;
  baseline?: string;
  subject?: string[];
  allowEnvMismatch?: boolean;
  format: string;
}

export function registerCompareCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('compare')
    .description('compare two result sets (results directories or baseline files) cell by cell, or one axis inside one run (--by)')
    .argument('<A>', 'baseline: results directory or baseline file')
    .argument('[B]', 'candidate: results directory or baseline file (omit with --by)')
    .option('--metric <name>', 'metric to compare', COMPARE_DEFAULTS.metric)
    .option('--alpha <p>', 'significance level of the Mann-Whitney test (uncorrected: exploratory)', String(COMPARE_DEFAULTS.alpha))
    .option('--by <axis>', 'compare inside one run: each value of <axis> against --baseline, all other axes equal')
    .option('--baseline <value>', 'with --by: the reference value of the axis (default: its first value in the run)')
    .option('--subject <path>', 'what the comparison is about (repeatable), e.g. qemu.binary, guest.kernel, matrix.backend', collect)
    .option('--allow-env-mismatch', 'compare even when the measurement environment differs (differences are listed)')
    .option('-f, --format <format>', `output: ${FORMATS.join(', ')}`, 'table')
    .action(async (a: string, b: string | undefined, options: CompareOptions) => {
      try {
        setExit(await compareCommand(a, b, options));
      } catch (err) {
        setExit(reportError(err));
      }
    });
}

interface Comparison {
  header: CompareHeader;
  rows: ComparisonRow[];
  refused: EnvironmentDifference[];
  /** Result sets that are not whole: the comparison cannot conclude (exit 3). */
  incomplete: IncompleteSet[];
}

function withinRun(set: ResultSet, axis: string, baseline: string | undefined, metric: string, alpha: number): Comparison {
  const values = [...new Set(set.samples.map((s) => s.cell[axis]).filter((v) => v !== undefined).map(String))];
  if (values.length === 0) throw new InputError(`--by ${axis}: no cell of ${set.label} has the axis ${axis}`);
  const reference = baseline ?? values[0] ?? '';
  if (!values.includes(reference)) throw new InputError(`--baseline ${reference}: ${axis} takes ${values.join(', ')} in ${set.label}`);
  if (values.length < 2) throw new InputError(`--by ${axis}: ${set.label} has only ${axis}=${reference}; nothing to compare`);
  const rows = compareWithinRun(set.samples, { axis, baseline: reference, metric, alpha, seed: COMPARE_DEFAULTS.seed });
  const others = values.filter((v) => v !== reference).join(', ');
  const header = { a: `${axis}=${reference}`, b: `${axis}=${others}`, metric, alpha, notes: [`run: ${set.label}`], omitAxis: values.length === 2 ? axis : undefined };
  return { header, rows, refused: [], incomplete: incompleteness(set, 'run') };
}

function twoSets(a: ResultSet, b: ResultSet, options: CompareOptions, alpha: number): Comparison {
  const subjects = options.subject ?? [];
  const env = checkEnvironment(a, b, subjects, options.allowEnvMismatch === true);
  const aligned = alignSubjectAxes(a.samples, b.samples, subjects);
  const notes = [...env.notes, ...aligned.folded.map((axis) => `cells paired without the subject axis ${axis}`)];
  const rows = compareSets(aligned.a, aligned.b, { metric: options.metric, alpha, seed: COMPARE_DEFAULTS.seed });
  const incomplete = [...incompleteness(a, 'baseline (A)'), ...incompleteness(b, 'candidate (B)')];
  return { header: { a: a.label, b: b.label, metric: options.metric, alpha, notes }, rows, refused: env.mismatch, incomplete };
}

async function compareCommand(pathA: string, pathB: string | undefined, options: CompareOptions): Promise<number> {
  const alpha = parseFraction('--alpha', options.alpha);
  const format = parseChoice('--format', options.format, FORMATS);
  if (options.baseline !== undefined && !options.by) throw new InputError('--baseline: only with --by <axis>');
  if (options.by && pathB) throw new InputError('--by compares inside one run: give one results directory, not two');
  if (!options.by && !pathB) throw new InputError('compare: give two result sets (A and B), or one with --by <axis>');

  const a = await loadResultSet(pathA);
  const b = options.by ? null : await loadResultSet(pathB ?? '');
  for (const set of b ? [a, b] : [a]) warnStoreDiagnostics(set.label, set.diagnostics);
  const cmp = b ? twoSets(a, b, options, alpha) : withinRun(a, options.by ?? '', options.baseline, options.metric, alpha);

  if (cmp.refused.length > 0) {
    const [headline, ...details] = refusalLines('compare', cmp.refused);
    for (const line of [headline, ...cmp.header.notes, ...details]) process.stderr.write(`${line}\n`);
    if (format === 'json') {
      const inconclusive: Inconclusive[] = [{ kind: 'environment', differences: cmp.refused }];
      process.stdout.write(JSON.stringify({ refused: cmp.refused.map((d) => d.text), notes: cmp.header.notes, inconclusive }, null, 2) + '\n');
    }
    return ExitCode.Partial;
  }
  if (cmp.rows.length === 0) throw new InputError(`no cell has ${options.metric} values to compare`);
  const incomplete: Inconclusive[] = cmp.incomplete.length ? [{ kind: 'incomplete', sets: cmp.incomplete }] : [];
  cmp.header.inconclusive = [...incomplete, ...compareInconclusive(cmp.rows, { metric: options.metric, alpha })];
  if (format === 'json') process.stdout.write(JSON.stringify({ ...cmp.header, rows: cmp.rows }, null, 2) + '\n');
  else if (format === 'markdown') process.stdout.write(renderCompareMarkdown(cmp.rows, cmp.header));
  else process.stdout.write(renderCompareTable(cmp.rows, cmp.header, { color: process.stdout.isTTY }) + '\n');
  // Never 0 on missing data: a cell missing on one side, or a result set that is not whole.
  return cmp.rows.some((r) => r.status === 'missing') || cmp.incomplete.length > 0 ? ExitCode.Partial : ExitCode.Success;
}
