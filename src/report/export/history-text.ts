/** Text exporter of `history`, for an email or a cron log: changes first, then the latest night per cell. */
import { formatNumber, formatP, formatSignedPct, formatCount } from '../../util/number-format.js';
import type { CellChange, HistoryReport } from '../../history/history.js';
import { alignColumns, formatTimestamp } from '../format.js';
import type { Exporter } from './exporter.js';

export function changeLine(report: HistoryReport, cellKey: string, c: CellChange): string {
  const run = report.runs[c.run]!;
  const env = c.environment.length ? `; environment changed: ${c.environment.join('; ')}` : '';
  return `${c.direction.toUpperCase()} ${cellKey}: ${report.metric} ${formatSignedPct(c.deltaPct)} from ${formatTimestamp(run.startedAt)} (${run.label}): ${formatCount(c.medianBefore)} → ${formatCount(c.medianAfter)}, p = ${formatP(c.p)}${env}`;
}

export function renderHistoryText(report: HistoryReport): string {
  const out: string[] = [];
  const first = report.runs[0];
  const last = report.runs[report.runs.length - 1];
  out.push(`vblk-bench history: profile ${report.profile}, metric ${report.metric} (${report.better} is better)`);
  out.push(
    first && last
      ? `${report.runs.length} run(s) from ${formatTimestamp(first.startedAt)} to ${formatTimestamp(last.startedAt)}; latest: ${last.label} (${last.status}, ${last.accel})`
      : 'no runs',
  );
  if (last?.accel === 'tcg')
    out.push('accel tcg: these numbers measure an emulator; shifts in them say nothing about virtio performance.');
  for (const e of report.excluded) out.push(`left out: ${e}`);
  out.push('');
  const changes = report.cells.flatMap((h) => h.changes.map((c) => ({ h, c })));
  const o = report.options;
  out.push(
    `Change points (sustained shifts: Pettitt/Mann-Whitney scan, permutation p < ${formatNumber(o.alpha, 3)}, ≥ ${o.minSegment} runs each side, > ${o.minEffectPct} % shift):`,
  );
  if (changes.length === 0) out.push('  none');
  for (const { h, c } of changes.sort((x, y) => y.c.run - x.c.run)) out.push(`  ${changeLine(report, h.cellKey, c)}`);
  out.push('');
  out.push('Latest run per cell (median [95 % CI], change vs the previous run):');
  const rows = [['cell', 'latest', 'previous', 'change', 'runs']];
  for (const h of report.cells) {
    const p = h.points[h.points.length - 1];
    const q = h.points[h.points.length - 2];
    const latest = p
      ? `${formatCount(p.median)}${p.low !== null && p.high !== null ? ` [${formatCount(p.low)}, ${formatCount(p.high)}]` : ''}`
      : '—';
    const change = p && q && q.median !== 0 ? formatSignedPct((p.median / q.median - 1) * 100) : '—';
    rows.push([h.cellKey, latest, q ? formatCount(q.median) : '—', change, String(h.points.length)]);
  }
  out.push(alignColumns(rows).replace(/^/gm, '  '));
  return `${out.join('\n')}\n`;
}

export const historyText: Exporter<HistoryReport> = { format: 'text', render: renderHistoryText };
