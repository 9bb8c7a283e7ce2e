/**
 * What every rendering of a latency map shows (the terminal table, the HTML
 * report): the layers outermost first, each indented under the layer it
 * nests in, with its share of the guest total on means; the n/a reasons; the
 * clock resolution of each domain; the tracing cost. Pure.
 */
import type { CellLatency, ClockDomain, LatencyLayer } from '../model/latency.js';
import type { TracedCell } from '../latency/explain-latency.js';
import { formatNumber } from '../util/number-format.js';

export interface LayerRowView {
  layer: LatencyLayer;
  /** Nesting depth under guest.total (0 for the outermost). */
  depth: number;
  /** Share of the guest total's mean, 0..1; absent for n/a layers or without a guest total. */
  share?: number;
}

/** Depth of a layer in its parent chain (a broken or cyclic chain stops counting). */
function depthOf(layer: LatencyLayer, byId: Map<string, LatencyLayer>): number {
  let depth = 0;
  const seen = new Set<string>([layer.id]);
  for (let p = layer.parent; p !== undefined && !seen.has(p) && byId.has(p); p = byId.get(p)!.parent) {
    seen.add(p);
    depth++;
  }
  return depth;
}

/** The guest total's mean, when measured. */
export function guestTotalUs(latency: CellLatency): number | undefined {
  const total = latency.layers.find((l) => l.id === 'guest.total');
  return total?.result.available ? total.result.stats.meanUs : undefined;
}

export function layerRows(latency: CellLatency): LayerRowView[] {
  const byId = new Map(latency.layers.map((l) => [l.id, l]));
  const total = guestTotalUs(latency);
  return latency.layers.map((layer) => {
    const r = layer.result;
    const share = !r.available
      ? undefined
      : (r.shareOfTotal ?? (total !== undefined && total > 0 ? r.stats.meanUs / total : undefined));
    return { layer, depth: depthOf(layer, byId), ...(share !== undefined ? { share } : {}) };
  });
}

/** µs as read in a table: two decimals under 10 µs (ftrace resolves ns), one above. */
export function formatUs(us: number | undefined): string {
  if (us === undefined) return '';
  return Math.abs(us) < 10 ? us.toFixed(2) : us.toFixed(1);
}

export function formatSignedUs(us: number | undefined): string {
  if (us === undefined) return '';
  const text = formatUs(Math.abs(us));
  return `${us < 0 && /[1-9]/.test(text) ? '-' : '+'}${text}`;
}

export const formatShare = (share: number | undefined) =>
  share === undefined ? '' : `${formatNumber(share * 100, 3)} %`;

/** `qemu 1 µs, guest 0.001 µs`: the finest resolution each domain's layers state. */
export function resolutionNote(latency: CellLatency): string {
  const byDomain = new Map<ClockDomain, number>();
  for (const l of latency.layers) {
    if (!l.result.available || l.domain === 'cross') continue;
    byDomain.set(l.domain, Math.min(byDomain.get(l.domain) ?? Infinity, l.resolutionUs));
  }
  return [...byDomain].map(([d, us]) => `${d} ${formatNumber(us, 3)} µs`).join(', ');
}

/** `traced 812 IOPS vs untraced median 1043 IOPS: tracing cost 22.1 %`, or the traced figure alone. */
export function tracingCostText(cell: TracedCell): string {
  const l = cell.latency;
  const traced = `traced ${formatNumber(l.tracedIops, 4)} IOPS`;
  if (l.untracedMedianIops === undefined || cell.tracingCost === undefined)
    return `${traced} (no untraced median recorded: tracing cost unknown)`;
  const cost = -cell.tracingCost * 100;
  const vs = `${traced} vs untraced median ${formatNumber(l.untracedMedianIops, 4)} IOPS`;
  return cost >= 0
    ? `${vs}: tracing cost ${formatNumber(cost, 3)} %`
    : `${vs}: the traced run was ${formatNumber(-cost, 3)} % faster (no tracing cost visible)`;
}

/** The cell's axis values as a title: `backend=virtio-blk ioeventfd=on iodepth=1`. */
export function cellTitle(latency: CellLatency): string {
  const entries = Object.entries(latency.config);
  return entries.length > 0 ? entries.map(([k, v]) => `${k}=${String(v)}`).join(' ') : latency.cellKey;
}

/** The granularity as a column shows it. */
export const granularityText = (layer: LatencyLayer) =>
  layer.granularity === 'mean-difference' ? 'mean diff' : layer.granularity;

/** One line per check: `ok nesting: …` / `FAILED overruns: …`. */
export function checkLines(latency: CellLatency): string[] {
  return latency.checks.map((c) => `${c.ok ? 'ok' : 'FAILED'} ${c.kind}: ${c.detail}`);
}
