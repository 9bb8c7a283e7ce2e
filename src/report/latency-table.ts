/**
 * Terminal rendering of `explain --latency`: a layer table per traced cell
 * (layer, clock domain, granularity, requests, mean, p50, p99 in µs, share of
 * the guest total on means) with its n/a reasons, the unexplained remainder,
 * the clock resolution, the tracing cost and the consistency checks; then a
 * table per pair with the per-layer difference B − A, or why there is none.
 */
import Table from 'cli-table3';
import type { LatencyReport, TracedCell } from '../latency/explain-latency.js';
import type { LayerComparison } from '../latency/compare-layers.js';
import { tableStyle } from './format.js';
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

interface RenderOptions {
  color?: boolean;
}

/** No rule between body rows: these tables are read down a column. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

export function renderCellLatency(cell: TracedCell, opts: RenderOptions = {}): string {
  const l = cell.latency;
  const table = new Table({
    head: ['layer', 'clock', 'per', 'n', 'mean µs', 'p50 µs', 'p99 µs', 'share'],
    style: tableStyle(opts.color),
    chars: COMPACT,
  });
  const unavailable: string[] = [];
  for (const { layer, depth, share } of layerRows(l)) {
    const name = `${'  '.repeat(depth)}${layer.label}`;
    const r = layer.result;
    if (!r.available) {
      table.push([name, layer.domain, granularityText(layer), 'n/a', '', '', '', '']);
      unavailable.push(`  n/a ${layer.label}: ${r.reason}`);
      continue;
    }
    const s = r.stats;
    const per = granularityText(layer);
    table.push([
      name,
      layer.domain,
      per,
      String(s.count),
      formatUs(s.meanUs),
      formatUs(s.p50Us),
      formatUs(s.p99Us),
      formatShare(share),
    ]);
  }
  const total = guestTotalUs(l);
  const unexplained =
    l.unexplainedUs === undefined
      ? []
      : [
          `unexplained remainder: ${formatUs(l.unexplainedUs)} µs` +
            (total ? ` (${formatShare(l.unexplainedUs / total)} of the guest total; on means)` : ''),
        ];
  return [
    `${cellTitle(l)}  [${cell.run}]`,
    table.toString(),
    ...unavailable,
    ...unexplained,
    `clock resolution: ${resolutionNote(l) || 'no layer measured'}`,
    tracingCostText(cell),
    ...checkLines(l).map((c) => `check ${c}`),
    ...l.notes.map((n) => `note: ${n}`),
  ].join('\n');
}

export function renderLayerComparison(c: LayerComparison, opts: RenderOptions = {}): string {
  const table = new Table({
    head: ['layer', `${c.a.label} (A) mean`, `${c.b.label} (B) mean`, 'B - A mean', 'B - A p50', 'B - A p99'],
    style: tableStyle(opts.color),
    chars: COMPACT,
  });
  const none: string[] = [];
  const meanOf = (side: LayerComparison['rows'][number]['a']) =>
    side === undefined ? '-' : side.result.available ? formatUs(side.result.stats.meanUs) : 'n/a';
  for (const r of c.rows) {
    table.push([
      r.label,
      meanOf(r.a),
      meanOf(r.b),
      r.delta ? formatSignedUs(r.delta.meanUs) : '—',
      formatSignedUs(r.delta?.p50Us),
      formatSignedUs(r.delta?.p99Us),
    ]);
    if (r.why) none.push(`  no difference for ${r.label}: ${r.why}`);
  }
  const remainder =
    c.unexplainedDeltaUs === undefined
      ? []
      : [`unexplained remainder B - A: ${formatSignedUs(c.unexplainedDeltaUs)} µs (on means)`];
  const title = `${c.b.label} vs ${c.a.label}${c.context ? ` — ${c.context}` : ''} (µs)`;
  return [title, table.toString(), ...none, ...remainder].join('\n');
}

/** The whole `explain --latency` text: cells, then pairs; empty when nothing was traced. */
export function renderLatencyReport(m: LatencyReport, opts: RenderOptions = {}): string {
  if (m.cells.length === 0) return '';
  const cells = m.cells.map((c) => renderCellLatency(c, opts));
  const pairs =
    m.comparisons.length > 0
      ? [`side by side: ${m.pairing}`, ...m.comparisons.map((c) => renderLayerComparison(c, opts))]
      : [`side by side: ${m.pairing}`];
  return `${[...cells, ...pairs].join('\n\n')}\n`;
}
