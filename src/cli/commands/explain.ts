/**
 * `vblk-bench explain <results> [other-results]`: the "why" breakdown of
 * stored samples (src/breakdown/breakdown.ts) — per pair, the IOPS change next
 * to host CPU per I/O by role, exits, interrupts and wakeups per I/O.
 *
 *   explain <dir> [--by ioeventfd] [--baseline on]   pairs across one axis inside a run
 *   explain <dirA> <dirB>                            the same cells in two runs (A = first)
 *   explain <dir> [<dirB>] --a <cellKey> --b <cellKey>   any two cells
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadRun } from '../../store/run-reader.js';
import { breakdownPair, type PairBreakdown } from '../../breakdown/breakdown.js';
import { choosePairs } from '../../breakdown/pairs-to-explain.js';
import type { ExplainReport } from '../../report/breakdown-table.js';
import type { Exporter } from '../../report/export/exporter.js';
import { ExitCode } from '../../model/exit-codes.js';
import { reportError } from '../errors.js';
import { formatOption } from '../format-option.js';
import { warnIncompleteRuns } from '../run-status.js';
import { diagnosticLines, type Diagnostic } from '../../model/diagnostic.js';

interface ExplainOptions {
  by: string;
  baseline?: string;
  a?: string;
  b?: string;
  format: Exporter<ExplainReport>;
}

export function registerExplainCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('explain')
    .description(
      'why two configurations differ: IOPS next to host CPU per I/O by role, exits, IRQs and wakeups per I/O',
    )
    .argument('<results>', 'results directory written by `run`')
    .argument('[other]', 'a second results directory: compare the same cells across the two runs')
    .option('--by <axis>', 'pair cells across this axis, equal on every other axis', 'ioeventfd')
    .option('--baseline <value>', 'the A side of --by (default: its first value in the run)')
    .option('--a <cellKey>', 'an explicit A cell (with --b)')
    .option('--b <cellKey>', 'an explicit B cell (with --a; from the second run when one is given)')
    .addOption(formatOption('explain'))
    .action(async (dir: string, other: string | undefined, options: ExplainOptions) => {
      try {
        const runs = [await loadRun(resolve(dir)), ...(other ? [await loadRun(resolve(other))] : [])];
        const { pairs, what } = choosePairs(runs, options);
        const explained = pairs.map(breakdownPair).filter((p): p is PairBreakdown => p !== null);
        process.stdout.write(
          options.format.render({ explained: what, pairs: explained }, { color: process.stdout.isTTY }),
        );
        let code: number = ExitCode.Success;
        if (explained.length < pairs.length || pairs.length === 0) {
          const missing = pairs.length - explained.length;
          const d: Diagnostic =
            pairs.length === 0
              ? { kind: 'NothingToExplain', what }
              : { kind: 'PairsWithoutInsight', missing, pairs: pairs.length };
          for (const line of diagnosticLines(d)) process.stderr.write(`${line}\n`);
          code = ExitCode.Partial;
        }
        if (warnIncompleteRuns(runs)) code = ExitCode.Partial;
        setExit(code);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
