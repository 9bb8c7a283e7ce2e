/**
 * `vblk-bench explain <results> [other-results]`: the "why" breakdown of
 * stored samples (src/breakdown/breakdown.ts) — per pair, the IOPS change next
 * to host CPU per I/O by role, exits, interrupts and wakeups per I/O.
 *
 *   explain <dir> [--by ioeventfd] [--baseline on]   pairs across one axis inside a run
 *   explain <dirA> <dirB>                            the same cells in two runs (A = first)
 *   explain <dir> [<dirB>] --a <cellKey> --b <cellKey>   any two cells
 *   explain --latency <dir> [<dirB>] [--by …|--a … --b …]   the per-layer latency maps of a traced pass (docs/latency.md)
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadRun } from '../../store/run-reader.js';
import { breakdownPair, type PairBreakdown } from '../../breakdown/breakdown.js';
import { choosePairs } from '../../breakdown/pairs-to-explain.js';
import type { ExplainReport } from '../../report/breakdown-table.js';
import type { LatencyReport } from '../../latency/explain-latency.js';
import type { Exporter } from '../../report/export/exporter.js';
import { ExitCode } from '../../model/exit-codes.js';
import { reportError } from '../errors.js';
import { exporterOfMode, formatOption } from '../format-option.js';
import { warnIncompleteRuns, warnStoredDiagnostics } from '../run-status.js';
import { buildLatencyReport } from '../../latency/explain-latency.js';
import type { StoredRun } from '../../store/run-reader.js';
import { diagnosticLines, type Diagnostic } from '../../model/diagnostic.js';

interface ExplainOptions {
  by: string;
  baseline?: string;
  a?: string;
  b?: string;
  latency?: boolean;
  /** An exporter of `explain`, or of `latency` (html); picked by name for the mode. */
  format: Exporter<ExplainReport> | Exporter<LatencyReport>;
}

/** `explain --latency`: the traced cells' layer tables and the pairs side by side; exit 3 when nothing was traced or a map was skipped. */
async function explainLatency(
  runs: StoredRun[],
  options: ExplainOptions,
  format: Exporter<LatencyReport>,
): Promise<number> {
  const sources = runs.map((r) => ({ dir: r.dir, cellOrder: [...new Set(r.samples.map((s) => s.cellKey))] }));
  const { report, diagnostics } = await buildLatencyReport(sources, options);
  process.stdout.write(format.render(report, { color: process.stdout.isTTY }));
  let code: number = ExitCode.Success;
  if (diagnostics.length > 0) {
    warnStoredDiagnostics(report.runs.join(', '), diagnostics);
    code = ExitCode.Partial;
  }
  if (report.cells.length === 0) {
    for (const line of diagnosticLines({ kind: 'NoLatencyTraces', dirs: runs.map((r) => r.dir) }))
      process.stderr.write(`${line}\n`);
    code = ExitCode.Partial;
  }
  return warnIncompleteRuns(runs) ? ExitCode.Partial : code;
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
    .option(
      '--latency',
      "the per-layer latency maps of the traced pass (`trace: latency`): where a request's time goes",
    )
    .addOption(formatOption('explain', { flag: '--latency', kind: 'latency' }))
    .action(async (dir: string, other: string | undefined, options: ExplainOptions) => {
      try {
        // The mode's format is checked before any file is read.
        const read = async () => [await loadRun(resolve(dir)), ...(other ? [await loadRun(resolve(other))] : [])];
        if (options.latency) {
          const format = exporterOfMode('latency', options.format);
          return setExit(await explainLatency(await read(), options, format));
        }
        const format = exporterOfMode('explain', options.format);
        const runs = await read();
        const { pairs, what } = choosePairs(runs, options);
        const explained = pairs.map(breakdownPair).filter((p): p is PairBreakdown => p !== null);
        process.stdout.write(format.render({ explained: what, pairs: explained }, { color: process.stdout.isTTY }));
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
