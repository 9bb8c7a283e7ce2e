/** A Markdown summary for CI job summaries (e.g. $GITHUB_STEP_SUMMARY). */
import { formatNumber, formatP, formatSignedPct } from '../stats/format.js';
import { gateFigures, warningKinds } from './describe-cell.js';
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

export function toMarkdown(result: GateResult, opts: { title?: string } = {}): string {
  const sorted = sortWorstFirst(result.cells);
  const lines = [
    `## ${escapeMarkdownCell(opts.title ?? 'vblk-bench gate')}: ${result.verdict.toUpperCase()}`,
    '',
    `α = ${formatNumber(result.alpha)} (${result.correction === 'holm' ? 'Holm' : 'Benjamini-Hochberg'}), ` +
      `${result.tests} test(s); at least ${result.minSamplesNeeded} repetitions per side needed.`,
    '',
    ...result.reasons.map((r) => `- ${r.replace(/\r?\n/g, ' ')}`),
    '',
    '| Status | Metric | Cell | Baseline median (n) | Current median (n) | Δ | CI of Δ | p | adj. p | Reason | Warnings |',
    '| --- | --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- | --- |',
    ...sorted.map(row),
    '',
  ];
  return lines.join('\n');
}
