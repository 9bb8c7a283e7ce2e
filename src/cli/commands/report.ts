/** `vblk-bench report <results...>`: re-render stored runs in any format (the stored samples are the only input). */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadRun, type StoredRun } from '../../store/run-reader.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { buildReportModel, REPORT_DEFAULTS, type ReportModel } from '../../report/model.js';
import type { Exporter } from '../../report/export/exporter.js';
import { CSV_ROWS } from '../../report/export/report-csv.js';
import { ExitCode } from '../../model/exit-codes.js';
import { reportError } from '../errors.js';
import { formatOption } from '../format-option.js';
import { warnIncompleteRuns, warnStoredDiagnostics } from '../run-status.js';
import { withLatency } from '../../report/report-latency.js';
import { parseChoice, parseFraction } from '../stat-options.js';
import { TOOL_VERSION } from '../../util/version.js';
import { diagnosticLines } from '../../model/diagnostic.js';

export interface ReportCliOptions {
  format: Exporter<ReportModel>;
  metric: string;
  output?: string;
  rows: string;
  alpha: string;
  by?: string;
}

/** Renders stored runs (and their latency section) through the chosen exporter; the text ends with a newline, and whether a latency map was skipped. */
async function renderReport(
  runs: readonly StoredRun[],
  options: ReportCliOptions,
  color = false,
): Promise<{ text: string; skipped: boolean }> {
  const alpha = parseFraction('--alpha', options.alpha);
  const rows = parseChoice('--rows', options.rows, CSV_ROWS);
  const built = buildReportModel(runs, { metric: options.metric, alpha, by: options.by });
  const { model, diagnostics } = await withLatency(built, runs, options.by);
  if (!model.cells.some((c) => c.stats))
    for (const line of diagnosticLines({ kind: 'NoOkMeasurements', metric: options.metric }))
      process.stderr.write(`${line}\n`);
  if (diagnostics.length > 0) warnStoredDiagnostics(model.latency?.runs.join(', ') ?? '', diagnostics);
  const text = options.format.render(model, {
    color,
    rows,
    generatedAt: new Date().toISOString(),
    toolVersion: TOOL_VERSION,
  });
  return { text, skipped: diagnostics.length > 0 };
}

export function registerReportCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('render stored results directories (the first is the baseline when several are given)')
    .argument('<results...>', 'results directories written by `run`, `import` or `merge`')
    .addOption(formatOption('report'))
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--metric <name>', 'metric to report', REPORT_DEFAULTS.metric)
    .option('--rows <rows>', `csv: one row per ${CSV_ROWS.join(' or per ')}`, 'sample')
    .option('--alpha <alpha>', 'significance level of the comparison markers', String(REPORT_DEFAULTS.alpha))
    .option('--by <axis[=baseline]>', 'one run: compare along this axis only (default: every axis with several values)')
    .action(async (dirs: string[], options: ReportCliOptions) => {
      try {
        const runs: StoredRun[] = [];
        for (const dir of dirs) runs.push(await loadRun(dir));
        const { text, skipped } = await renderReport(runs, options, !options.output && process.stdout.isTTY);
        if (options.output) {
          await writeFileAtomic(resolve(options.output), text);
          process.stderr.write(`wrote ${options.output}\n`);
        } else process.stdout.write(text);
        setExit(warnIncompleteRuns(runs) || skipped ? ExitCode.Partial : ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
