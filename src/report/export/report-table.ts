/**
 * Terminal exporter of a report — what `run` prints when it ends and `report`
 * prints by default — per run: the metric × iodepth matrix, the per-cell
 * statistics with their typed warnings and anomalies, the insight breakdown
 * when the samples carry one, and the host-reference ratios.
 */
import { renderRunBreakdown } from '../breakdown-table.js';
import { renderCellStatsTable } from '../cell-stats-table.js';
import { renderMatrixTable } from '../matrix-table.js';
import type { ReportModel } from '../model.js';
import { renderReferenceTable } from '../reference-table.js';
import type { ExportContext, Exporter } from './exporter.js';

function runTables(model: ReportModel, run: number, ctx: ExportContext): string {
  const { dir } = model.runs[run]!;
  const head = model.runs.length > 1 ? `${dir}\n` : '';
  const axes = model.breakdowns.find((b) => b.run === run)?.axes ?? [];
  const reference = model.references[run];
  return [
    head,
    `${renderMatrixTable(model.matrices[run]!, ctx)}\n`,
    `${renderCellStatsTable(model, run, ctx)}\n`,
    renderRunBreakdown(axes, dir, ctx),
    reference ? `${renderReferenceTable(reference, ctx)}\n` : '',
  ].join('');
}

export const reportTable: Exporter<ReportModel> = {
  format: 'table',
  render: (model, ctx) => model.runs.map((_, run) => runTables(model, run, ctx)).join('\n'),
};
