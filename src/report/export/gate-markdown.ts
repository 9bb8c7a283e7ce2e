/** The gate as Markdown, for CI job summaries (e.g. $GITHUB_STEP_SUMMARY): `gate --markdown <file>` or `--format markdown`. */
import { deltaCiRuleNote } from '../../compare/delta-ci.js';
import type { GateCell, GateResult } from '../../gate/types.js';
import { escapeMarkdownCell, escapeMarkdownText } from '../format.js';
import { gateFigures, sortWorstFirst, warningKinds } from '../gate-cells.js';
import { gateHeadline, hasRuleHiddenDeltaCi } from '../gate-headline.js';
import type { GateReport } from '../gate-report.js';
import type { Exporter } from './exporter.js';
import { diagnosticItems } from './markdown-diagnostics.js';

function row(c: GateCell): string {
  const cells = [
    c.status === 'regression' ? '**regression**' : c.status,
    c.metric,
    `\`${c.cellKey}\``,
    ...gateFigures(c),
    c.reason,
    warningKinds(c),
  ];
  return `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
}

/** The headline as Markdown: why, the hint, the other reasons, the setting. */
function headline(result: GateResult): string[] {
  const h = gateHeadline(result);
  const e = escapeMarkdownText;
  return [
    `**Why:** ${e(h.why)}  `,
    ...(h.hint ? [`**Hint:** ${e(h.hint)}  `] : []),
    ...h.also.map((a) => `**Also:** ${e(a)}  `),
    `${e(h.setting)}.`,
  ];
}

export function toMarkdown(result: GateResult, opts: { title?: string } = {}): string {
  const sorted = sortWorstFirst(result.cells);
  const lines = [
    `## ${escapeMarkdownCell(opts.title ?? 'vblk-bench gate')}: ${result.verdict.toUpperCase()}`,
    '',
    ...headline(result),
    '',
    ...result.reasons.map((r) => `- ${escapeMarkdownText(r)}`),
    '',
    '| Status | Metric | Cell | Baseline median (n) | Current median (n) | Δ | CI of Δ | p | adj. p | Reason | Warnings |',
    '| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- | --- |',
    ...sorted.map(row),
    '',
    ...(hasRuleHiddenDeltaCi(result) ? [deltaCiRuleNote(), ''] : []),
  ];
  return lines.join('\n');
}

export const gateMarkdown: Exporter<GateReport> = {
  format: 'markdown',
  render: (g) => {
    const extra = diagnosticItems(g.diagnostics);
    return toMarkdown(g.result, { title: g.title }) + (extra.length ? `\n${extra.join('\n')}\n` : '');
  },
};
