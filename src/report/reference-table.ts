/**
 * Every cell's IOPS as a fraction of the host-native reference: the same fio
 * job run on the host against the same backing store (`reference: host`).
 * Same rows and columns as the IOPS matrix; pure, from stored records only.
 * A ratio above 100 % is shown as measured (with cache: writeback the guest's
 * reads can come from the host page cache, which host O_DIRECT bypasses).
 */
import Table from 'cli-table3';
import type { AxisValue } from '../model/sample.js';
import { AXES } from '../profile/axes.js';
import { cellKeyOf } from '../model/cell-key.js';
import type { ReferenceRecord } from '../store/reference-store.js';
import type { IopsMatrix } from './iops-matrix.js';
import { tableStyle } from './format.js';
import { formatCount } from '../util/number-format.js';
import { diagnosticBlock, type Diagnostic } from '../model/diagnostic.js';

export interface ReferenceRatios {
  metric: string;
  columnAxis: string;
  columns: AxisValue[];
  /** The host figure per column, when every row of the column shares one (the fio axes are all in the column). */
  hostRow: (number | null)[];
  rows: { label: string; ratios: (number | null)[]; host: (number | null)[] }[];
  /** Backing stores the reference read. */
  targets: string[];
  anyAbove100: boolean;
  failed: { fioKey: string; reason: string }[];
}

const FIO_AXES = new Set(AXES.filter((a) => a.scope === 'fio').map((a) => a.name));

/** The reference key of a matrix cell: its fio-scope axis values. */
function fioKeyOf(values: Record<string, AxisValue>): string {
  return cellKeyOf(Object.fromEntries(Object.entries(values).filter(([axis]) => FIO_AXES.has(axis))));
}

export function buildReferenceRatios(matrix: IopsMatrix, references: readonly ReferenceRecord[]): ReferenceRatios {
  const host = new Map<string, number>();
  for (const r of references) {
    const v = r.metrics[matrix.metric]?.value;
    if (r.status === 'ok' && v !== undefined && v > 0) host.set(r.fioKey, v);
  }
  const rows = matrix.rows.map((row) => {
    const hostValues = matrix.columns.map((c) => host.get(fioKeyOf({ ...row.values, [matrix.columnAxis]: c })) ?? null);
    const ratios = row.cells.map((cell, i) => {
      const h = hostValues[i];
      return cell && cell.median !== null && h ? cell.median / h : null;
    });
    return { label: row.label, ratios, host: hostValues };
  });
  const hostRow = matrix.columns.map((_, i) => {
    const values = new Set(rows.map((r) => r.host[i]).filter((v): v is number => v !== null));
    return values.size === 1 ? [...values][0]! : null;
  });
  return {
    metric: matrix.metric,
    columnAxis: matrix.columnAxis,
    columns: matrix.columns,
    hostRow,
    rows,
    targets: [...new Set(references.map((r) => r.target))],
    anyAbove100: rows.some((r) => r.ratios.some((x) => x !== null && x > 1)),
    failed: references
      .filter((r) => r.status !== 'ok')
      .map((r) => ({ fioKey: r.fioKey, reason: r.reason ?? r.status })),
  };
}

export function formatRatio(ratio: number | null): string {
  if (ratio === null) return '—';
  const pct = ratio * 100;
  return `${pct >= 100 ? pct.toFixed(0) : pct.toPrecision(3)} %`;
}

export function renderReferenceTable(t: ReferenceRatios, opts: { color?: boolean } = {}): string {
  const table = new Table({
    head: ['configuration', ...t.columns.map((c) => `${t.columnAxis}=${c}`)],
    style: tableStyle(opts.color),
  });
  table.push(['host-native (fio on the host)', ...t.hostRow.map((v) => (v === null ? '(per row)' : formatCount(v)))]);
  for (const row of t.rows) table.push([row.label, ...row.ratios.map(formatRatio)]);
  const lines = [
    `${t.metric} as % of host-native (the same fio job on the host against ${t.targets.join(', ') || 'the backing store'}, before the guests)`,
    table.toString(),
  ];
  const diagnostics: Diagnostic[] = [
    ...(t.anyAbove100 ? [{ kind: 'ReferenceAbove100' as const }] : []),
    ...t.failed.map((f): Diagnostic => ({ kind: 'HostReferenceFailed', fioKey: f.fioKey, reason: f.reason })),
  ];
  lines.push(...diagnosticBlock(diagnostics));
  return lines.join('\n');
}
