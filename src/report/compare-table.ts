/**
 * Terminal (and Markdown) rendering of comparisons: `compare` rows in
 * benchstat's style — A, B, the change with its interval, the p-value, and `~`
 * where the difference is not significant — and the gate's per-cell verdicts.
 */
import Table from 'cli-table3';
import type { ComparisonRow } from '../compare/types.js';
import type { GateResult } from '../gate/types.js';
import { gateFigures } from '../gate/describe-cell.js';
import { gateHeadline, hasRuleHiddenDeltaCi, headlineLines, runLevelLines } from '../gate/headline.js';
import { belowDeltaCiRule, deltaCiRuleNote, formatDeltaCi } from '../compare/delta-ci.js';
import { describeInconclusive, remedyFor, type Inconclusive } from '../compare/inconclusive.js';
import { escapeMarkdownCell, escapeMarkdownText, sortWorstFirst } from '../gate/markdown.js';
import type { CellStats } from '../stats/cell-stats.js';
import { formatNumber, formatP, formatSignedPct } from '../stats/format.js';
import { cellWithout } from '../model/cell-key.js';
import { cellLabel, renderWarnings, tableStyle, varyingAxes } from './cell-stats-table.js';
import { formatMedianWithCi } from './format.js';

export interface CompareHeader {
  /** What A (the baseline) and B are, e.g. two results directories or `ioeventfd=on` / `ioeventfd=off`. */
  a: string;
  b: string;
  metric: string;
  alpha: number;
  /** Lines printed above the table: subject differences, allowed environment differences. */
  notes: string[];
  /** An axis left out of the row labels (the `--by` axis when the header already names both values). */
  omitAxis?: string;
  /** What keeps the comparison from concluding, in precedence order (compare/inconclusive.ts): the first one heads the output. */
  inconclusive?: Inconclusive[];
}

/**
 * The first reason a comparison cannot conclude, with what to do: state
 * PARTIAL (cells missing on a side: exit 3) or INCONCLUSIVE (sizes that
 * cannot reach α); null when every cell was compared with enough samples.
 */
function compareHeadline(reasons: readonly Inconclusive[] = []): { state: string; why: string; remedy: string; also: string[] } | null {
  const [first, ...rest] = reasons;
  if (!first) return null;
  const state = first.kind === 'missing-cells' ? 'PARTIAL' : 'INCONCLUSIVE';
  return { state, why: describeInconclusive(first), remedy: remedyFor(first), also: rest.map(describeInconclusive) };
}

function headlineText(reasons?: readonly Inconclusive[]): string[] {
  const h = compareHeadline(reasons);
  return h ? [`compare: ${h.state} — ${h.why}`, `  what to do: ${h.remedy}`, ...h.also.map((a) => `  also: ${a}`)] : [];
}

function headlineMarkdown(reasons?: readonly Inconclusive[]): string[] {
  const h = compareHeadline(reasons);
  if (!h) return [];
  const e = escapeMarkdownText;
  return [`**${h.state}** — ${e(h.why)}  `, `**What to do:** ${e(h.remedy)}  `, ...h.also.map((a) => `**Also:** ${e(a)}  `), ''];
}

function side(s: CellStats | null): string {
  return s ? `${formatMedianWithCi(s.median, s.ci, s.n)}${s.ci ? ` n=${s.n}` : ''}` : '—';
}

/** The table's cells for one row: label, A, B, Δ (or `~`), CI of Δ, p. */
function rowCells(row: ComparisonRow, label: string): string[] {
  if (row.status === 'missing') return [label, side(row.a), side(row.b), `missing in ${row.missingFrom.toUpperCase()}`, '', ''];
  const delta = row.significant ? formatSignedPct(row.deltaPct) : '~';
  return [label, side(row.a), side(row.b), delta, formatDeltaCi(row.deltaCi), formatP(row.p)];
}

function labels(rows: readonly ComparisonRow[], omitAxis?: string): string[] {
  const cells = rows.map((r) => (omitAxis ? cellWithout(r.cell, omitAxis) : r.cell));
  const axes = varyingAxes(cells);
  return cells.map((c) => cellLabel(c, axes));
}

const HEAD = (h: CompareHeader) => ['cell', `A: ${h.a}`, `B: ${h.b}`, 'Δ', '95 % CI of Δ', 'p'];

function footer(rows: readonly ComparisonRow[], h: CompareHeader, names: readonly string[]): string[] {
  const entries = rows.flatMap((r, i) => {
    const name = names[i] ?? r.cellKey;
    return [
      ...(r.a ? [{ label: `A ${name}`, warnings: r.a.warnings }] : []),
      ...(r.b ? [{ label: `B ${name}`, warnings: r.b.warnings }] : []),
    ];
  });
  const hidden = rows.some((r) => r.status === 'ok' && r.deltaCi === null && belowDeltaCiRule(r.a.n, r.b.n));
  return [
    `Δ = median B / median A − 1; ~ = not significant (two-sided Mann-Whitney U, p ≥ α = ${formatNumber(h.alpha)}, ` +
      `uncorrected: exploratory); CI: percentile bootstrap of the ratio of medians.`,
    ...(hidden ? [deltaCiRuleNote()] : []),
    ...renderWarnings(entries),
  ];
}

export function renderCompareTable(rows: readonly ComparisonRow[], h: CompareHeader, opts: { color?: boolean } = {}): string {
  const table = new Table({
    head: HEAD(h),
    style: tableStyle(opts.color),
  });
  const names = labels(rows, h.omitAxis);
  rows.forEach((row, i) => table.push(rowCells(row, names[i] ?? row.cellKey)));
  return [...headlineText(h.inconclusive), `${h.metric}: A = ${h.a}, B = ${h.b}`, ...h.notes, table.toString(), ...footer(rows, h, names)].join('\n');
}

export function renderCompareMarkdown(rows: readonly ComparisonRow[], h: CompareHeader): string {
  const names = labels(rows, h.omitAxis);
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  return [
    `## ${escapeMarkdownCell(h.metric)}: A = ${escapeMarkdownCell(h.a)}, B = ${escapeMarkdownCell(h.b)}`,
    '',
    ...headlineMarkdown(h.inconclusive),
    ...h.notes.map((n) => `- ${n}`),
    ...(h.notes.length > 0 ? [''] : []),
    line(HEAD(h)),
    '| --- | ---: | ---: | ---: | --- | ---: |',
    ...rows.map((row, i) => line(rowCells(row, names[i] ?? row.cellKey))),
    '',
    ...footer(rows, h, names).map((l) => `${l}  `),
    '',
  ].join('\n');
}

/** The gate's cells, worst first: status, metric, cell, both medians, Δ, its CI, p and adjusted p, the reason. */
export function renderGateTable(result: GateResult, opts: { color?: boolean } = {}): string {
  const table = new Table({
    head: ['status', 'metric', 'cell', 'baseline', 'current', 'Δ', 'CI of Δ', 'p', 'adj. p', 'reason'],
    style: tableStyle(opts.color),
    colWidths: [null, null, null, null, null, null, null, null, null, 60],
    wordWrap: true,
  });
  const cells = sortWorstFirst(result.cells);
  const axes = varyingAxes(cells.map((c) => c.cell));
  for (const c of cells) {
    table.push([
      c.status.toUpperCase(),
      c.metric,
      cellLabel(c.cell, axes),
      ...gateFigures(c),
      c.reason,
    ]);
  }
  return [
    ...headlineLines(gateHeadline(result)),
    table.toString(),
    // Cell-level reasons are in the table; the run-level ones are listed in full after it.
    ...runLevelLines(result).map((r) => `  ${r}`),
    ...(hasRuleHiddenDeltaCi(result) ? [deltaCiRuleNote()] : []),
  ].join('\n');
}
