/** Terminal exporter of `compare`: the headline, the header, the benchstat-style table and its legend. */
import Table from 'cli-table3';
import type { ComparisonRow } from '../../compare/types.js';
import { diagnosticBlock } from '../../model/diagnostic.js';
import {
  compareFooter,
  compareHead,
  compareHeadline,
  rowCells,
  rowLabels,
  type CompareHeader,
  type CompareReport,
} from '../compare-report.js';
import { tableStyle } from '../format.js';
import type { Exporter } from './exporter.js';

function headlineText(h: CompareHeader): string[] {
  const head = compareHeadline(h.inconclusive);
  return head
    ? [`compare: ${head.state} — ${head.why}`, `  hint: ${head.hint}`, ...head.also.map((a) => `  also: ${a}`)]
    : [];
}

export function renderCompareTable(
  rows: readonly ComparisonRow[],
  h: CompareHeader,
  opts: { color?: boolean } = {},
): string {
  const table = new Table({ head: compareHead(h), style: tableStyle(opts.color) });
  const names = rowLabels(rows, h.omitAxis);
  rows.forEach((row, i) => table.push(rowCells(row, names[i] ?? row.cellKey)));
  const above = [...(h.run ? [`run: ${h.run}`] : []), ...diagnosticBlock(h.diagnostics)];
  return [
    ...headlineText(h),
    `${h.metric}: A = ${h.a}, B = ${h.b}`,
    ...above,
    table.toString(),
    ...compareFooter(rows, h, names),
  ].join('\n');
}

export const compareTable: Exporter<CompareReport> = {
  format: 'table',
  render: (m, ctx) => (m.refused.length > 0 ? '' : `${renderCompareTable(m.rows, m.header, ctx)}\n`),
};
