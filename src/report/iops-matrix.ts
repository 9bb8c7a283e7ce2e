/**
 * The shape every tabular exporter renders: one row per configuration (all
 * axes but the column axis), one column per iodepth, each cell the median of
 * its ok samples and its change against the reference row at the same depth.
 * Pure: built from stored samples only.
 */
import type { AxisValue, CellValues, Sample, SampleStatus } from '../model/sample.js';
import { METRIC } from '../model/metrics.js';
import { AXES } from '../profile/axes.js';
import { median } from '../stats/descriptive.js';

export interface MatrixCell {
  n: number;
  median: number | null;
  /** Change of the median against the reference row at the same column, in %. */
  deltaPct: number | null;
  /** `ok` when at least one ok sample; otherwise the status the samples share. */
  status: SampleStatus;
  reason?: string;
}

export interface MatrixRow {
  label: string;
  values: CellValues;
  cells: (MatrixCell | null)[];
}

export interface IopsMatrix {
  metric: string;
  columnAxis: string;
  columns: AxisValue[];
  rowAxes: string[];
  rows: MatrixRow[];
  referenceRow: number;
}

function rowLabel(values: CellValues, rowAxes: string[]): string {
  return rowAxes.map((a) => `${a}=${values[a]}`).join(' ');
}

function summarize(samples: Sample[], metric: string): Omit<MatrixCell, 'deltaPct'> {
  const ok = samples.filter((s) => s.status === 'ok' && s.metrics[metric] !== undefined);
  if (ok.length > 0) return { n: ok.length, median: median(ok.map((s) => s.metrics[metric]!.value)), status: 'ok' };
  const first = samples[0]!;
  return { n: 0, median: null, status: first.status, reason: first.reason };
}

export function buildIopsMatrix(
  samples: Sample[],
  opts: { metric?: string; columnAxis?: string; referenceRow?: number } = {},
): IopsMatrix {
  const metric = opts.metric ?? METRIC.iops;
  const columnAxis = opts.columnAxis ?? 'iodepth';
  const present = new Set(samples.flatMap((s) => Object.keys(s.cell)));
  const rowAxes = AXES.map((a) => a.name).filter((a) => a !== columnAxis && present.has(a));
  const columns = [
    ...new Set(samples.map((s) => s.cell[columnAxis]).filter((v): v is AxisValue => v !== undefined)),
  ].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
  const rowsByLabel = new Map<string, { values: CellValues; byColumn: Map<AxisValue, Sample[]> }>();
  for (const s of samples) {
    const values = Object.fromEntries(rowAxes.map((a) => [a, s.cell[a]!]));
    const label = rowLabel(values, rowAxes);
    let row = rowsByLabel.get(label);
    if (!row) rowsByLabel.set(label, (row = { values, byColumn: new Map() }));
    const col = s.cell[columnAxis]!;
    row.byColumn.set(col, [...(row.byColumn.get(col) ?? []), s]);
  }
  const referenceRow = opts.referenceRow ?? 0;
  const rows: MatrixRow[] = [...rowsByLabel.entries()].map(([label, row]) => ({
    label,
    values: row.values,
    cells: columns.map((c) => {
      const list = row.byColumn.get(c);
      return list ? { ...summarize(list, metric), deltaPct: null } : null;
    }),
  }));
  const ref = rows[referenceRow];
  if (ref) {
    for (const row of rows) {
      row.cells.forEach((cell, i) => {
        const base = ref.cells[i]?.median;
        if (cell && cell.median !== null && base) cell.deltaPct = ((cell.median - base) / base) * 100;
      });
    }
  }
  return { metric, columnAxis, columns, rowAxes, rows, referenceRow };
}
