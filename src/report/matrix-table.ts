/**
 * The metric × iodepth matrix as a cli-table3 table, with each cell's
 * change against the reference row and the reasons for cells that did not run.
 */
import Table from 'cli-table3';
import type { IopsMatrix, MatrixCell } from './iops-matrix.js';
import { formatPct, tableStyle } from './format.js';
import { formatCount } from '../util/number-format.js';

function renderCell(cell: MatrixCell | null, isReference: boolean): string {
  if (!cell) return '';
  if (cell.median === null) return cell.status;
  const n = cell.n > 1 ? ` (n=${cell.n})` : '';
  const delta = !isReference && cell.deltaPct !== null ? `  ${formatPct(cell.deltaPct)}` : '';
  return `${formatCount(cell.median)}${delta}${n}`;
}

export function renderMatrixTable(matrix: IopsMatrix, opts: { color?: boolean } = {}): string {
  const table = new Table({
    head: [matrix.rowAxes.join(' / ') || 'configuration', ...matrix.columns.map((c) => `${matrix.columnAxis}=${c}`)],
    style: tableStyle(opts.color),
  });
  matrix.rows.forEach((row, i) => {
    const label = i === matrix.referenceRow ? `${row.label} (ref)` : row.label;
    table.push([label, ...row.cells.map((c) => renderCell(c, i === matrix.referenceRow))]);
  });
  return `${matrix.metric} (median; change vs the reference row at the same ${matrix.columnAxis})\n${table.toString()}`;
}
