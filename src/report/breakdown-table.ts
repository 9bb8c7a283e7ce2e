/**
 * Terminal rendering of the "why" breakdown (src/breakdown/breakdown.ts): one
 * table per pair with its summary line, or, for many pairs, one overview
 * table per axis (a row per pair) followed by the summary lines.
 */
import Table from 'cli-table3';
import type { AxisBreakdown, BreakdownRow, PairBreakdown } from '../breakdown/breakdown.js';
import { formatPct, tableStyle } from './format.js';
import { formatCount } from '../util/number-format.js';

interface RenderOptions {
  color?: boolean;
}

/** What `explain` prints, in every format: which pairs were explained, and their breakdowns. */
export interface ExplainReport {
  /** `ioeventfd (baseline ioeventfd=on)`, `B vs A, cells present in both`, … */
  explained: string;
  pairs: PairBreakdown[];
}

/** No rule between body rows: these tables are read down a column. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** A value in the row's unit: IOPS as counts, µs with one decimal, events and ratios with two. */
function formatValue(row: Pick<BreakdownRow, 'unit'>, value: number | null): string {
  if (value === null) return 'n/a';
  if (row.unit === 'IO/s' || row.unit === 'I/O/core-s') return formatCount(value);
  if (row.unit === 'µs/I/O') return value.toFixed(1);
  return value.toFixed(2);
}

function formatDelta(row: BreakdownRow): string {
  if (row.delta === null) return '';
  const text = formatValue(row, Math.abs(row.delta));
  return `${row.delta < 0 && /[1-9]/.test(text) ? '-' : '+'}${text}`;
}

const shareText = (share: number | null) =>
  share === null ? '' : `${share >= 0 ? '+' : '-'}${Math.abs(share * 100).toFixed(0)}%`;

/** Distinct reasons for n/a values, one line each. */
function notesOf(rows: BreakdownRow[]): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const r of rows) {
    if ((r.a !== null && r.b !== null) || !r.note || seen.has(r.note)) continue;
    seen.add(r.note);
    lines.push(`  n/a ${r.label}: ${r.note}`);
  }
  return lines;
}

export function renderPairBreakdown(pair: PairBreakdown, opts: RenderOptions = {}): string {
  const table = new Table({
    head: ['per I/O', `${pair.a.label} (A)`, `${pair.b.label} (B)`, 'B - A', 'Δ %', 'share of CPU Δ'],
    style: tableStyle(opts.color),
    chars: COMPACT,
  });
  for (const r of pair.rows) {
    const indent = r.group === 'host-cpu' && r.key !== 'cpu:total' ? '  ' : '';
    table.push([
      `${indent}${r.label} (${r.unit})`,
      formatValue(r, r.a),
      formatValue(r, r.b),
      formatDelta(r),
      r.deltaPct === null ? '' : formatPct(r.deltaPct),
      shareText(r.share),
    ]);
  }
  const n = pair.a.n === 1 && pair.b.n === 1 ? '' : ` (medians of n=${pair.a.n} / ${pair.b.n})`;
  const title = `${pair.b.label} vs ${pair.a.label}${pair.context ? ` — ${pair.context}` : ''}${n}`;
  return [title, table.toString(), ...notesOf(pair.rows), `→ ${pair.summary}`].join('\n');
}

/** Row keys of the overview, in column order (roles appear when any pair has them). */
function overviewKeys(pairs: PairBreakdown[]): { key: string; label: string }[] {
  const keys: { key: string; label: string }[] = [];
  const seen = new Set<string>();
  for (const p of pairs) {
    for (const r of p.rows) {
      if (r.group !== 'host-cpu' || seen.has(r.key)) continue;
      seen.add(r.key);
      keys.push({ key: r.key, label: r.key === 'cpu:total' ? 'CPU µs/I/O' : `${r.label.replace(/ CPU$/, '')} µs/I/O` });
    }
  }
  // Total last among the CPU columns.
  keys.sort((x, y) => (x.key === 'cpu:total' ? 1 : 0) - (y.key === 'cpu:total' ? 1 : 0));
  return [...keys, { key: 'irqs', label: 'IRQs/I/O' }, { key: 'exits', label: 'exits/I/O' }];
}

export function renderAxisOverview(axis: AxisBreakdown, opts: RenderOptions = {}): string {
  const columns = overviewKeys(axis.pairs);
  const table = new Table({
    head: ['pair (B vs A)', 'IOPS Δ %', ...columns.map((c) => `Δ ${c.label}`)],
    style: tableStyle(opts.color),
  });
  for (const p of axis.pairs) {
    const get = (key: string) => p.rows.find((r) => r.key === key);
    const iops = get('iops');
    table.push([
      `${p.b.label} vs ${p.a.label.split('=').pop()}${p.context ? `\n${p.context}` : ''}`,
      iops?.deltaPct != null ? formatPct(iops.deltaPct) : 'n/a',
      ...columns.map((c) => {
        const r = get(c.key);
        return r ? formatDelta(r) || 'n/a' : '';
      }),
    ]);
  }
  const notes = notesOf(axis.pairs.flatMap((p) => p.rows));
  return [
    `why: ${axis.axis} (baseline ${axis.axis}=${axis.baseline}), change B − A per I/O`,
    table.toString(),
    ...notes,
    ...axis.pairs.map((p) => `→ ${p.summary}`),
  ].join('\n');
}

/** What `run` prints: full tables for a few pairs, the overview per axis beyond that. */
export function renderBreakdowns(
  axes: readonly AxisBreakdown[],
  opts: RenderOptions & { maxDetailed?: number } = {},
): string {
  const total = axes.reduce((s, a) => s + a.pairs.length, 0);
  if (total <= (opts.maxDetailed ?? 4)) {
    return axes.flatMap((a) => a.pairs.map((p) => renderPairBreakdown(p, opts))).join('\n\n');
  }
  return axes.map((a) => renderAxisOverview(a, opts)).join('\n\n');
}

/** What the report table shows after a run's statistics: the breakdowns of the explained axes that have pairs, or '' when none has. */
export function renderRunBreakdown(axes: readonly AxisBreakdown[], runDir: string, opts: RenderOptions = {}): string {
  if (axes.length === 0) return '';
  const more = axes.map((a) => `vblk-bench explain ${runDir} --by ${a.axis}`).join('; ');
  return `\n${renderBreakdowns(axes, opts)}\n(per-pair tables and JSON: ${more})\n`;
}
