/** HTML exporter of `history`: one self-contained page with the text summary's change list and one trend chart per cell. */
import type { HistoryReport } from '../../history/history.js';
import { escapeHtml, formatTimestamp } from '../format.js';
import { banner, htmlPage, section } from '../html-page.js';
import { renderLineChart } from '../svg/line-chart.js';
import type { Exporter } from './exporter.js';
import { changeLine } from './history-text.js';
import { formatCount } from '../../util/number-format.js';

const day = (ms: number) => new Date(ms).toISOString().slice(5, 10);

export function renderHistoryHtml(report: HistoryReport): string {
  const body: string[] = [];
  if (report.runs.some((r) => r.accel === 'tcg'))
    body.push(
      banner('Measured under TCG (CPU emulation), not KVM', [
        'Shifts in emulator numbers say nothing about virtio performance.',
      ]),
    );
  const changes = report.cells.flatMap((h) => h.changes.map((c) => changeLine(report, h.cellKey, c)));
  body.push(
    section(
      'Change points',
      changes.length
        ? `<ul>${changes.map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>`
        : '<p class="muted">None: no sustained shift in any cell.</p>',
    ),
  );
  const time = (run: number) => Date.parse(report.runs[run]!.startedAt);
  const charts = report.cells.map((h) => {
    const svg = renderLineChart({
      title: h.cellKey,
      xLabel: 'run start (UTC)',
      yLabel: `${report.metric}, nightly median`,
      xScale: 'time',
      formatX: day,
      formatY: formatCount,
      lines: [
        {
          label: `${report.metric} (band: 95 % CI of the median)`,
          points: h.points.map((p) => ({
            x: time(p.run),
            y: p.median,
            low: p.low,
            high: p.high,
            note: `${report.runs[p.run]!.label}, n=${p.n}`,
          })),
        },
      ],
      markers: h.changes.map((c) => ({
        x: time(c.run),
        label: `${c.direction}: ${c.deltaPct.toFixed(1)} % from ${formatTimestamp(report.runs[c.run]!.startedAt)}`,
      })),
    });
    return `<figure>${svg}</figure>`;
  });
  body.push(section('Trends', `<div class="charts">${charts.join('')}</div>`));
  if (report.excluded.length)
    body.push(section('Left out', `<ul>${report.excluded.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>`));
  const first = report.runs[0];
  const last = report.runs[report.runs.length - 1];
  return htmlPage({
    title: `vblk-bench history: ${report.profile}`,
    subtitle:
      first && last
        ? `${report.runs.length} run(s), ${formatTimestamp(first.startedAt)} – ${formatTimestamp(last.startedAt)}, metric ${report.metric}`
        : 'no runs',
    body,
  });
}

export const historyHtml: Exporter<HistoryReport> = { format: 'html', render: renderHistoryHtml };
