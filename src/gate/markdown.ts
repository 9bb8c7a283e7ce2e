/** A Markdown summary for CI job summaries (e.g. $GITHUB_STEP_SUMMARY). */
import { deltaCiRuleNote } from '../compare/delta-ci.js';
import { gateFigures, warningKinds } from './describe-cell.js';
import { gateHeadline, hasRuleHiddenDeltaCi } from './headline.js';
import type { GateCell, GateResult } from './types.js';

const ORDER: readonly GateCell['status'][] = ['regression', 'failed', 'missing', 'inconclusive', 'improvement', 'pass', 'unsupported'];

/** Cells worst first: regressions, then what kept the gate from judging, then the rest. */
export function sortWorstFirst(cells: readonly GateCell[]): GateCell[] {
  return [...cells].sort((x, y) => ORDER.indexOf(x.status) - ORDER.indexOf(y.status));
}

/** Make text safe inside a table cell: no line breaks, pipes escaped. */
export function escapeMarkdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

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

/**
 * Make prose safe as a Markdown paragraph line: `<` outside code spans would
 * start an HTML tag (GitHub drops `<path>`), line breaks would end the line.
 * Code spans are left alone: they render literally.
 */
export function escapeMarkdownText(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part) => (/^`[^`]*`$/.test(part) ? part : part.replace(/&/g, '&amp;').replace(/</g, '&lt;')))
    .join('');
}

/** The headline as Markdown: why, what to do, the other reasons, the setting. */
function headline(result: GateResult): string[] {
  const h = gateHeadline(result);
  const e = escapeMarkdownText;
  return [
    `**Why:** ${e(h.why)}  `,
    ...(h.remedy ? [`**What to do:** ${e(h.remedy)}  `] : []),
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
