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
import { loadResultSetFrom } from '../../fingerprint/published-set.js';
import { addDbOptions, dbSourceOf, type DbOptions } from '../db-options.js';
import type { CompareReport } from '../../report/compare-report.js';
import type { Exporter } from '../../report/export/exporter.js';
import { reportError } from '../errors.js';
import { warnStoredDiagnostics } from '../run-status.js';
import { formatOption } from '../format-option.js';
import { collect, parseFraction, refusalLines } from '../stat-options.js';
import { diagnosticBlock } from '../../model/diagnostic.js';
import { buildCompareReport, COMPARE_DEFAULTS } from '../../report/compare-build.js';

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

async function compareCommand(pathA: string, pathB: string | undefined, options: CompareOptions): Promise<number> {
  const alpha = parseFraction('--alpha', options.alpha);
  if (options.baseline !== undefined && !options.by) throw new InputError('--baseline: only with --by <axis>');
  if (options.by && pathB) throw new InputError('--by compares inside one run: give one results directory, not two');
  if (!options.by && !pathB) throw new InputError('compare: give two result sets (A and B), or one with --by <axis>');

  const db = await dbSourceOf(options);
  const a = await loadResultSetFrom(pathA, db);
  const b = options.by ? null : await loadResultSetFrom(pathB ?? '', db);
  for (const set of b ? [a, b] : [a]) warnStoredDiagnostics(set.label, set.diagnostics);
  const { report: cmp, incomplete } = buildCompareReport({
    a,
    b,
    metric: options.metric,
    alpha,
    by: options.by,
    baseline: options.baseline,
    subjects: options.subject ?? [],
    allowEnvMismatch: options.allowEnvMismatch === true,
  });

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
  process.stdout.write(options.format.render(cmp, { color: process.stdout.isTTY }));
  return cmp.rows.some((r) => r.status === 'missing') || incomplete ? ExitCode.Partial : ExitCode.Success;
}
