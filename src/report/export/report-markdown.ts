/**
 * Markdown exporter of a report, for pull requests and CI job summaries
 * ($GITHUB_STEP_SUMMARY): run warnings and findings first, then the median
 * grid with intervals, the comparison tables with `~` markers, anomalies and
 * the cells' typed warnings.
 */
import { escapeMarkdownCell, escapeMarkdownText, formatTimestamp } from '../format.js';
import type { ReportModel } from '../model.js';
import { cellGrid, findings, gridCellText } from '../rows.js';
import { describeAnomaly } from '../cell-stats-table.js';
import { renderCompareMarkdown } from './compare-markdown.js';
import type { Exporter } from './exporter.js';
import { warningParagraph } from '../warnings.js';

const row = (cells: readonly string[]) => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
/** Alignment row: `l` left, `r` right, one letter per column. */
const rule = (align: string) => `| ${[...align].map((a) => (a === 'r' ? '---:' : '---')).join(' | ')} |`;

export function renderMarkdown(model: ReportModel): string {
  const out: string[] = [`## ${escapeMarkdownCell(model.title)}`, ''];
  for (const w of model.warnings) out.push(`> **${w.severity}:** ${warningParagraph(w).replace(/\r?\n/g, ' ')}`, '>');
  if (model.warnings.length) out.push('');

  out.push(row(['run', 'profile', 'accel', 'started', 'status', 'samples']), rule('llllll'));
  for (const r of model.runs) {
    const counts =
      Object.entries(r.manifest.counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ') || '—';
    out.push(
      row([
        `\`${r.label}\``,
        r.manifest.profileName,
        r.manifest.accel,
        formatTimestamp(r.manifest.startedAt),
        r.manifest.status,
        counts,
      ]),
    );
  }
  out.push('');

  const found = findings(model);
  if (found.length) out.push('### Findings', '', ...found.map((f) => `- ${f}`), '');

  const grid = cellGrid(model);
  out.push(`### ${model.metric} — median [95 % CI] by ${model.depthAxis}`, '');
  out.push(row(['configuration', ...grid.columns]), rule(`l${'r'.repeat(grid.columns.length)}`));
  for (const r of grid.rows) out.push(row([r.label, ...r.cells.map(gridCellText)]));
  out.push(
    '',
    'A 95 % order-statistic interval for the median needs n ≥ 6 repetitions; cells with fewer show "no CI".',
    '',
  );

  for (const table of model.comparisons) {
    const header = {
      a: table.baseline,
      b: table.candidate,
      metric: model.metric,
      alpha: model.alpha,
      diagnostics: [],
      omitAxis: table.axis,
    };
    out.push(renderCompareMarkdown(table.rows, header, { withWarnings: false }).replace(/^## /, '### '));
  }

  const why = model.breakdowns.flatMap((b) => b.axes.flatMap((a) => a.pairs.map((p) => p.summary)));
  if (why.length) out.push('### Why (insight breakdown)', '', ...why.map((w) => `- ${w.replace(/\r?\n/g, ' ')}`), '');
  if (model.anomalies.length)
    out.push('### Anomalies', '', ...model.anomalies.map((a) => `- ${describeAnomaly(a.anomaly, (k) => k)}`), '');
  if (model.cellWarnings.length) {
    const where = (c: { run: number; label: string }) =>
      model.runs.length > 1 ? `${model.runs[c.run]!.label}: ${c.label}` : c.label;
    out.push(
      '### Warnings',
      '',
      ...model.cellWarnings.map(
        (g) =>
          `- **${g.kind}** (${escapeMarkdownText(g.cells.map(where).join('; '))}): ${escapeMarkdownText(warningParagraph(g))}`,
      ),
      '',
    );
  }
  return out.join('\n');
}

export const reportMarkdown: Exporter<ReportModel> = { format: 'markdown', render: renderMarkdown };
