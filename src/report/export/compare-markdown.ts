/** Markdown exporter of `compare` (pull requests, CI job summaries); the report's Markdown embeds its tables. */
import type { ComparisonRow } from '../../compare/types.js';
import {
  compareFooter,
  compareHead,
  compareHeadline,
  rowCells,
  rowLabels,
  type CompareHeader,
  type CompareReport,
} from '../compare-report.js';
import { escapeMarkdownCell, escapeMarkdownText } from '../format.js';
import type { Exporter } from './exporter.js';
import { diagnosticItems } from './markdown-diagnostics.js';

function headlineMarkdown(h: CompareHeader): string[] {
  const head = compareHeadline(h.inconclusive);
  if (!head) return [];
  const e = escapeMarkdownText;
  return [
    `**${head.state}** — ${e(head.why)}  `,
    `**Hint:** ${e(head.hint)}  `,
    ...head.also.map((a) => `**Also:** ${e(a)}  `),
    '',
  ];
}

/** `withWarnings: false` where the cells' warnings are listed once for the whole document (the report). */
export function renderCompareMarkdown(
  rows: readonly ComparisonRow[],
  h: CompareHeader,
  opts: { withWarnings?: boolean } = {},
): string {
  const names = rowLabels(rows, h.omitAxis);
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  return [
    `## ${escapeMarkdownCell(h.metric)}: A = ${escapeMarkdownCell(h.a)}, B = ${escapeMarkdownCell(h.b)}`,
    '',
    ...headlineMarkdown(h),
    ...(h.run ? [`run: ${escapeMarkdownText(h.run)}`, ''] : []),
    ...diagnosticItems(h.diagnostics),
    ...(h.diagnostics.length > 0 ? [''] : []),
    line(compareHead(h)),
    '| --- | ---: | ---: | ---: | --- | ---: |',
    ...rows.map((row, i) => line(rowCells(row, names[i] ?? row.cellKey))),
    '',
    ...compareFooter(rows, h, names, opts.withWarnings ?? true).map((l) => `${l}  `),
    '',
  ].join('\n');
}

export const compareMarkdown: Exporter<CompareReport> = {
  format: 'markdown',
  render: (m) => (m.refused.length > 0 ? '' : renderCompareMarkdown(m.rows, m.header)),
};
