/**
 * The latency maps in HTML (`explain --latency --format html`, and the
 * latency section of `report --format html` for runs with a traced pass):
 * per traced cell the layer table with its notes and checks, and a timeline
 * of two requests — nearest the median and nearest the p99 guest total —
 * with a lane per thread, drawn from the events in latency.json; then the
 * pairs side by side.
 */
import type { LatencyReport, TracedCell } from '../latency/explain-latency.js';
import type { LayerComparison } from '../latency/compare-layers.js';
import type { RequestTimeline } from '../model/latency.js';
import { escapeHtml } from './format.js';
import { htmlTable, type CellInput } from './html-page.js';
import { renderTimeline, type TimelineLane } from './svg/timeline.js';
import {
  cellTitle,
  checkLines,
  formatShare,
  formatSignedUs,
  formatUs,
  granularityText,
  guestTotalUs,
  layerRows,
  resolutionNote,
  tracingCostText,
} from './latency-view.js';

const num = (text: string): CellInput => ({ text, className: 'num' });
const DOMAINS = ['guest', 'qemu', 'daemon', 'host', 'cross'];
/** Lanes top to bottom: the guest, then QEMU's threads from the vCPU down to the I/O, then the daemon. */
const LANE_ORDER = ['guest-cpu', 'vcpu', 'main-loop', 'iothread', 'aio-worker', 'storage-daemon'];

const laneRank = (thread: string) => {
  const i = LANE_ORDER.findIndex((prefix) => thread.startsWith(prefix));
  return i < 0 ? LANE_ORDER.length : i;
};

/** One lane per thread, in LANE_ORDER, then by name. */
export function timelineLanes(t: RequestTimeline): TimelineLane[] {
  const threads = [...new Set(t.events.map((e) => e.thread))].sort(
    (a, b) => laneRank(a) - laneRank(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  return threads.map((thread) => ({
    label: thread,
    marks: t.events.filter((e) => e.thread === thread).map((e) => ({ atUs: e.atUs, label: e.event, group: e.domain })),
  }));
}

function timelineFigure(cell: TracedCell, t: RequestTimeline): string {
  const svg = renderTimeline({
    title: `request nearest the ${t.which}: ${formatUs(t.totalUs)} µs`,
    lanes: timelineLanes(t),
    groups: DOMAINS,
  });
  const caption =
    'One lane per thread; a mark per trace event, coloured by clock domain. ' +
    `Each domain's times start at its own first event of the request: the clocks are not aligned (${resolutionNote(cell.latency)}).`;
  return `<figure>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function layerTable(cell: TracedCell): string {
  const rows = layerRows(cell.latency).map(({ layer, depth, share }) => {
    const name = { html: `${'&nbsp;'.repeat(depth * 3)}${escapeHtml(layer.label)}` };
    const r = layer.result;
    if (!r.available)
      return {
        cells: [
          name,
          layer.domain,
          granularityText(layer),
          num('n/a'),
          '',
          '',
          '',
          '',
          { text: r.reason, className: 'muted' },
        ],
      };
    const s = r.stats;
    const per = granularityText(layer);
    return {
      cells: [
        name,
        layer.domain,
        per,
        num(String(s.count)),
        num(formatUs(s.meanUs)),
        num(formatUs(s.p50Us)),
        num(formatUs(s.p99Us)),
        num(formatShare(share)),
        '',
      ],
    };
  });
  return htmlTable(['layer', 'clock', 'per', 'n', 'mean µs', 'p50 µs', 'p99 µs', 'share', 'n/a because'], rows);
}

function cellSection(cell: TracedCell): string {
  const l = cell.latency;
  const total = guestTotalUs(l);
  const lines = [
    l.unexplainedUs === undefined
      ? null
      : `Unexplained remainder: ${formatUs(l.unexplainedUs)} µs${total ? ` (${formatShare(l.unexplainedUs / total)} of the guest total; on means)` : ''}.`,
    `Clock resolution: ${resolutionNote(l) || 'no layer measured'}.`,
    `Tracing cost: ${tracingCostText(cell)}.`,
    ...checkLines(l).map((c) => `Check ${c}`),
    ...l.notes,
  ].filter((x): x is string => x !== null);
  return [
    `<h3>${escapeHtml(`${cellTitle(l)} — ${cell.run}`)}</h3>`,
    layerTable(cell),
    `<ul>${lines.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`,
    `<div class="charts">${l.timelines.map((t) => timelineFigure(cell, t)).join('')}</div>`,
  ].join('\n');
}

function comparisonSection(c: LayerComparison): string {
  const meanOf = (side: LayerComparison['rows'][number]['a']) =>
    side === undefined ? '-' : side.result.available ? formatUs(side.result.stats.meanUs) : 'n/a';
  const rows = c.rows.map((r) => ({
    cells: [
      r.label,
      num(meanOf(r.a)),
      num(meanOf(r.b)),
      num(r.delta ? formatSignedUs(r.delta.meanUs) : '—'),
      num(formatSignedUs(r.delta?.p50Us)),
      num(formatSignedUs(r.delta?.p99Us)),
      { text: r.why ?? '', className: 'muted' },
    ],
  }));
  const remainder =
    c.unexplainedDeltaUs === undefined
      ? ''
      : `<p>Unexplained remainder B − A: ${escapeHtml(formatSignedUs(c.unexplainedDeltaUs))} µs (on means).</p>`;
  return [
    `<h3>${escapeHtml(`${c.b.label} vs ${c.a.label}${c.context ? ` — ${c.context}` : ''}`)}</h3>`,
    htmlTable(
      [
        'layer',
        `A: ${c.a.label} mean µs`,
        `B: ${c.b.label} mean µs`,
        'B − A mean',
        'B − A p50',
        'B − A p99',
        'no difference because',
      ],
      rows,
    ),
    remainder,
  ].join('\n');
}

/** The body of the latency section: the cells, then the pairs (what they compare, or why there are none). */
export function latencyHtml(m: LatencyReport): string[] {
  return [
    ...m.cells.map(cellSection),
    `<p>${escapeHtml(`Side by side: ${m.pairing}.`)}</p>`,
    ...m.comparisons.map(comparisonSection),
  ];
}
