/**
 * Terminal rendering of one run's per-cell statistics from the report model:
 * one line per cell (n, median, 95 % CI of the median, CV, range, host
 * steal), then the typed warnings with their explanations (hyperfine style)
 * and the run's anomalies (throughput falling as iodepth rises, bimodal
 * cells). Part of the report's terminal table (export/report-table.ts).
 */
import Table from 'cli-table3';
import type { Anomaly } from '../compare/anomalies.js';
import type { CellStats } from '../stats/cell-stats.js';
import { formatFraction, formatNumber, formatP, formatCount } from '../util/number-format.js';
import { tableStyle } from './format.js';
import type { ReportModel } from './model.js';
import { warningLines } from './warnings.js';

function formatCi(s: CellStats | null): string {
  return s?.ci ? `${formatCount(s.ci.low)} … ${formatCount(s.ci.high)}` : '—';
}

export function describeAnomaly(a: Anomaly, label: (cellKey: string) => string): string {
  if (a.kind === 'depth-drop') {
    return (
      `Anomaly: ${a.metric} falls ${formatNumber(a.dropPct, 3)} % from ${formatCount(a.shallow.median)} at iodepth ` +
      `${a.shallow.depth} to ${formatCount(a.deep.median)} at iodepth ${a.deep.depth} (p = ${formatP(a.p)}) for ${a.configKey}. ` +
      `More outstanding I/O should not lower throughput; when it does the path is serialising (the 2011 report: ` +
      `13K IOPS at iodepth 1, 3.5K at iodepth 3).`
    );
  }
  return (
    `Anomaly: ${a.metric} of ${label(a.cellKey)} is bimodal: ${a.lowerCount} repetitions at or below ` +
    `${formatCount(a.lowerMax)}, ${a.upperCount} at or above ${formatCount(a.upperMin)}; the median describes neither. ` +
    `Look for a state that alternates between boots (vCPU/IRQ placement, NUMA node, cache state).`
  );
}

/** One run's cells with ok values, in order of first measurement. */
function measuredCells(model: ReportModel, run: number) {
  return model.cells.filter((c): c is typeof c & { stats: CellStats } => c.run === run && c.stats !== null);
}

export function renderCellStatsTable(model: ReportModel, run: number, opts: { color?: boolean } = {}): string {
  const cells = measuredCells(model, run);
  if (cells.every((c) => c.stats.n < 2)) {
    return `${model.metric}: one repetition per cell, so no spread or confidence interval (repetitions: 6 or more give a 95 % CI of the median)`;
  }
  const table = new Table({
    head: ['cell', 'n', 'median', '95 % CI of median', 'CV', 'min … max', 'steal', 'warnings'],
    style: tableStyle(opts.color),
  });
  for (const { label, stats, stealPct } of cells) {
    table.push([
      label,
      String(stats.n),
      formatCount(stats.median),
      formatCi(stats),
      formatFraction(stats.cv),
      `${formatCount(stats.min)} … ${formatCount(stats.max)}`,
      stealPct === null ? '—' : `${formatNumber(stealPct, 2)} %`,
      [...new Set(stats.warnings.map((w) => w.kind))].join(', '),
    ]);
  }
  const labels = new Map(cells.map((c) => [c.cellKey, c.label]));
  // Bimodal cells are reported once, as anomalies.
  const warnings = model.cellWarnings.filter((g) => g.kind !== 'Bimodal' && g.cells.some((c) => c.run === run));
  const lines = [
    `${model.metric} per cell (median, distribution-free 95 % CI of the median, coefficient of variation)`,
    table.toString(),
    ...warnings.flatMap((g) =>
      warningLines(
        g,
        g.cells.filter((c) => c.run === run).map((c) => c.label),
      ),
    ),
    ...model.anomalies
      .filter((a) => a.run === run)
      .map((a) => describeAnomaly(a.anomaly, (key) => labels.get(key) ?? key)),
  ];
  return lines.join('\n');
}
