/**
 * Terminal exporter: one line of statistics per cell (n, median, 95 % CI of
 * the median, CV, range, host steal), then the typed warnings with their
 * explanations (hyperfine style) and the run's anomalies (throughput falling
 * as iodepth rises, bimodal cells). Printed after `run` and by `report`.
 */
import Table from 'cli-table3';
import type { CellValues, Sample } from '../model/sample.js';
import { METRIC } from '../model/sample.js';
import { groupSamples, indexCells, metricBetter } from '../compare/group.js';
import { findAnomalies, type Anomaly } from '../compare/anomalies.js';
import { summarizeCell, type CellStats } from '../stats/cell-stats.js';
import { explain, type StatWarning } from '../stats/warnings.js';
import { formatFraction, formatNumber, formatP } from '../stats/format.js';
import { stealByCell } from '../fingerprint/steal.js';
import { formatCount } from '../util/format-count.js';

export const CELL_TABLE_DEFAULTS = { metric: METRIC.iops, alpha: 0.05 } as const;

/** cli-table3 style: colours only on a terminal (escape codes would litter pipes and files). */
export function tableStyle(color?: boolean): { head: string[]; border: string[] } {
  return { head: color ? ['cyan'] : [], border: color ? ['grey'] : [] };
}

/** Axes whose value differs between the cells: what tells rows apart. */
export function varyingAxes(cells: readonly CellValues[]): string[] {
  const axes = [...new Set(cells.flatMap((c) => Object.keys(c)))];
  return axes.filter((axis) => new Set(cells.map((c) => String(c[axis]))).size > 1);
}

/** `ioeventfd=on iodepth=4`: the varying axes of a cell (all of them when nothing varies). */
export function cellLabel(cell: CellValues, axes: readonly string[]): string {
  const shown = axes.length > 0 ? axes.filter((a) => a in cell) : Object.keys(cell);
  return shown.map((a) => `${a}=${cell[a]}`).join(' ');
}

export function formatCi(s: CellStats | null): string {
  return s?.ci ? `${formatCount(s.ci.low)} … ${formatCount(s.ci.high)}` : '—';
}

/** One warning line per distinct explanation, naming the cells it applies to. */
export function renderWarnings(entries: readonly { label: string; warnings: readonly StatWarning[] }[], skip: readonly string[] = []): string[] {
  const byText = new Map<string, { kind: string; labels: string[] }>();
  for (const { label, warnings } of entries) {
    for (const w of warnings) {
      if (skip.includes(w.kind)) continue;
      const text = explain(w);
      const entry = byText.get(text) ?? { kind: w.kind, labels: [] };
      if (!entry.labels.includes(label)) entry.labels.push(label);
      byText.set(text, entry);
    }
  }
  return [...byText].map(([text, { kind, labels }]) => `Warning: ${kind} [${labels.join('; ')}]: ${text}`);
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

export interface CellStatsView {
  metric: string;
  rows: { cellKey: string; label: string; stats: CellStats; stealPct: number | null }[];
  anomalies: Anomaly[];
}

/** Statistics of `metric` for every cell with ok samples, in order of first measurement. Pure. */
export function buildCellStats(samples: readonly Sample[], opts: { metric?: string; alpha?: number } = {}): CellStatsView {
  const metric = opts.metric ?? CELL_TABLE_DEFAULTS.metric;
  const alpha = opts.alpha ?? CELL_TABLE_DEFAULTS.alpha;
  const better = metricBetter(samples, metric) ?? 'higher';
  const values = groupSamples(samples, metric);
  const cells = indexCells(samples);
  const axes = varyingAxes([...cells.values()].map((c) => c.cell));
  const steal = stealByCell(samples);
  const rows = [...values].map(([cellKey, v]) => {
    const stealPct = steal.get(cellKey) ?? null;
    return {
      cellKey,
      label: cellLabel(cells.get(cellKey)?.cell ?? {}, axes),
      stats: summarizeCell(v, { better, stealPct: stealPct ?? undefined }),
      stealPct,
    };
  });
  return { metric, rows, anomalies: findAnomalies(samples, { alpha, metric }) };
}

export function renderCellStatsTable(view: CellStatsView, opts: { color?: boolean } = {}): string {
  if (view.rows.every((r) => r.stats.n < 2)) {
    return `${view.metric}: one repetition per cell, so no spread or confidence interval (repetitions: 6 or more give a 95 % CI of the median)`;
  }
  const table = new Table({
    head: ['cell', 'n', 'median', '95 % CI of median', 'CV', 'min … max', 'steal', 'warnings'],
    style: tableStyle(opts.color),
  });
  for (const { label, stats, stealPct } of view.rows) {
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
  const labels = new Map(view.rows.map((r) => [r.cellKey, r.label]));
  const lines = [
    `${view.metric} per cell (median, distribution-free 95 % CI of the median, coefficient of variation)`,
    table.toString(),
    // Bimodal cells are reported once, as anomalies.
    ...renderWarnings(view.rows.map((r) => ({ label: r.label, warnings: r.stats.warnings })), ['Bimodal']),
    ...view.anomalies.map((a) => describeAnomaly(a, (key) => labels.get(key) ?? key)),
  ];
  return lines.join('\n');
}
