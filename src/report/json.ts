/**
 * JSON exporter: the whole report model (per-cell statistics with median CIs,
 * comparisons, anomalies, warnings) plus the classic matrix, for scripts.
 * NaN becomes null, as JSON has no NaN.
 */
import type { StoredRun } from '../store/run-reader.js';
import { buildIopsMatrix } from './iops-matrix.js';
import type { ReportModel } from './model.js';

export const REPORT_JSON_SCHEMA_VERSION = 1;

export function renderJson(model: ReportModel, stored: readonly StoredRun[]): string {
  const doc = {
    schemaVersion: REPORT_JSON_SCHEMA_VERSION,
    title: model.title,
    metric: model.metric,
    unit: model.unit,
    better: model.better,
    alpha: model.alpha,
    runs: model.runs,
    matrix: stored.map((r) => buildIopsMatrix(r.samples, { metric: model.metric })),
    cells: model.cells.map(({ warnings, ...c }) => ({ ...c, warningText: warnings })),
    comparisons: model.comparisons,
    anomalies: model.anomalies,
    warnings: model.warnings,
    breakdowns: model.breakdowns,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
