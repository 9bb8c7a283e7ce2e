/** `vblk-bench report <results...>`: re-render stored runs in any format (the stored samples are the only input). */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadRun, type StoredRun } from '../../store/run-reader.js';
import { writeFileAtomic } from '../../store/atomic.js';
import { buildIopsMatrix } from '../../report/iops-matrix.js';
import { renderTerminalTable } from '../../report/terminal-table.js';
import { buildReferenceRatios, renderReferenceTable } from '../../report/reference-table.js';
import { buildCellStats, renderCellStatsTable } from '../../report/cell-stats-table.js';
import { buildReportModel, REPORT_DEFAULTS } from '../../report/model.js';
import { renderJson } from '../../report/json.js';
import { CSV_ROWS, renderCellCsv, renderSampleCsv } from '../../report/csv.js';
import { renderMarkdown } from '../../report/markdown.js';
import { renderGoBench } from '../../report/gobench.js';
import { renderHtml } from '../../report/html.js';
import { ExitCode } from '../../model/exit-codes.js';
import { InputError } from '../../model/errors.js';
import { reportError } from '../errors.js';
import { warnIncompleteRuns } from '../run-status.js';
import { TOOL_VERSION } from '../../util/version.js';

export const REPORT_FORMATS = ['table', 'json', 'csv', 'markdown', 'gobench', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions {
  format: string;
  metric: string;
  output?: string;
  rows: string;
  alpha: string;
  by?: string;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new InputError(`${name}: expected one of ${allowed.join(', ')}, got ${value}`);
  return value as T;
}

/** Renders stored runs in one format; the text ends with a newline. */
export function renderReport(runs: readonly StoredRun[], options: ReportOptions, color = false): string {
  const format = oneOf('--format', options.format, REPORT_FORMATS);
  const alpha = Number(options.alpha);
  if (!(alpha > 0 && alpha < 1)) throw new InputError(`--alpha: expected a number between 0 and 1, got ${options.alpha}`);
  const rows = oneOf('--rows', options.rows, CSV_ROWS);
  if (format === 'gobench') return renderGoBench(runs);
  if (format === 'csv' && rows === 'sample') return renderSampleCsv(runs);
  if (format === 'table') {
    const tables = runs.map((r) => {
      const head = runs.length > 1 ? `${r.dir}\n` : '';
      const stats = renderCellStatsTable(buildCellStats(r.samples, { metric: options.metric, alpha }), { color });
      const matrix = buildIopsMatrix(r.samples, { metric: options.metric });
      const reference = r.reference?.length ? `${renderReferenceTable(buildReferenceRatios(matrix, r.reference), { color })}\n` : '';
      return `${head}${renderTerminalTable(matrix, { color })}\n${stats}\n${reference}`;
    });
    return tables.join('\n');
  }
  const model = buildReportModel(runs, { metric: options.metric, alpha, by: options.by });
  if (!model.cells.some((c) => c.stats)) process.stderr.write(`warning: no ok measurements of metric ${options.metric}\n`);
  switch (format) {
    case 'json':
      return renderJson(model, runs);
    case 'csv':
      return renderCellCsv(model, runs);
    case 'markdown':
      return renderMarkdown(model);
    case 'html':
      return renderHtml(model, { generatedAt: new Date().toISOString(), toolVersion: TOOL_VERSION });
  }
}

export function registerReportCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('report')
    .description('render stored results directories (the first is the baseline when several are given)')
    .argument('<results...>', 'results directories written by `run`, `import` or `merge`')
    .option('-f, --format <format>', `output format: ${REPORT_FORMATS.join(', ')}`, 'table')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--metric <name>', 'metric to report', REPORT_DEFAULTS.metric)
    .option('--rows <rows>', `csv: one row per ${CSV_ROWS.join(' or per ')}`, 'sample')
    .option('--alpha <alpha>', 'significance level of the comparison markers', String(REPORT_DEFAULTS.alpha))
    .option('--by <axis[=baseline]>', 'one run: compare along this axis only (default: every axis with several values)')
    .action(async (dirs: string[], options: ReportOptions) => {
      try {
        const runs: StoredRun[] = [];
        for (const dir of dirs) runs.push(await loadRun(dir));
        const text = renderReport(runs, options, !options.output && process.stdout.isTTY);
        if (options.output) {
          await writeFileAtomic(resolve(options.output), text);
          process.stderr.write(`wrote ${options.output}\n`);
        } else process.stdout.write(text);
        setExit(warnIncompleteRuns(runs) ? ExitCode.Partial : ExitCode.Success);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
