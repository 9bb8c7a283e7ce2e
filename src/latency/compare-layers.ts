/**
 * Two latency maps side by side (`explain --latency`, issue 14): per layer,
 * the difference B − A of mean, p50 and p99. A difference is given only
 * where both sides measured the layer in the same clock domain and at the
 * same granularity, per request or per batch. A layer that is n/a on a side,
 * a cross-domain layer (itself a difference of means: subtracting two of
 * them compounds two domains' offsets) and a layer whose domain or
 * granularity differs between the sides give no difference, and say why.
 */
import type { CellLatency, LatencyLayer, LayerId } from '../model/latency.js';

export interface LayerDifference {
  id: LayerId;
  label: string;
  a: LatencyLayer | undefined;
  b: LatencyLayer | undefined;
  /** B − A in µs; absent with `why` when the layer gives no difference. */
  delta?: { meanUs: number; p50Us?: number; p99Us?: number };
  why?: string;
}

export interface LayerComparison {
  /** What both sides share, and what tells them apart. */
  context: string;
  a: { label: string; cellKey: string };
  b: { label: string; cellKey: string };
  rows: LayerDifference[];
  /** B − A of the unexplained remainder (µs), when both sides have one. */
  unexplainedDeltaUs?: number;
}

/** Why a layer present on both sides gives no difference, or null when it does. */
function noDifference(a: LatencyLayer, b: LatencyLayer): string | null {
  if (!a.result.available) return `n/a on A: ${a.result.reason}`;
  if (!b.result.available) return `n/a on B: ${b.result.reason}`;
  if (a.granularity === 'mean-difference' || b.granularity === 'mean-difference')
    return 'cross-domain layer (a difference of means): no difference of differences is given';
  if (a.domain !== b.domain) return `measured in the ${a.domain} clock on A, the ${b.domain} clock on B`;
  if (a.granularity !== b.granularity) return `per ${a.granularity} on A, per ${b.granularity} on B`;
  return null;
}

const minus = (b: number | undefined, a: number | undefined) =>
  a === undefined || b === undefined ? undefined : b - a;

/** One row: the layer's difference, or why there is none. */
export function layerDifference(id: LayerId, a: LatencyLayer | undefined, b: LatencyLayer | undefined) {
  const label = (a ?? b)?.label ?? id;
  const row: LayerDifference = { id, label, a, b };
  if (!a || !b) return { ...row, why: `not listed on ${a ? 'B' : 'A'}` };
  const why = noDifference(a, b);
  if (why !== null || !a.result.available || !b.result.available) return { ...row, why: why ?? '' };
  const sa = a.result.stats;
  const sb = b.result.stats;
  const p50Us = minus(sb.p50Us, sa.p50Us);
  const p99Us = minus(sb.p99Us, sa.p99Us);
  return {
    ...row,
    delta: {
      meanUs: sb.meanUs - sa.meanUs,
      ...(p50Us !== undefined ? { p50Us } : {}),
      ...(p99Us !== undefined ? { p99Us } : {}),
    },
  };
}

/** The layers of both maps, in A's order, then B's layers A does not list. */
function layerIds(a: CellLatency, b: CellLatency): LayerId[] {
  return [...new Set([...a.layers.map((l) => l.id), ...b.layers.map((l) => l.id)])];
}

/** The per-layer differences of B against A. */
export function compareLayers(
  a: CellLatency,
  b: CellLatency,
  sides: Pick<LayerComparison, 'a' | 'b' | 'context'>,
): LayerComparison {
  const rows = layerIds(a, b).map((id) =>
    layerDifference(
      id,
      a.layers.find((l) => l.id === id),
      b.layers.find((l) => l.id === id),
    ),
  );
  const unexplainedDeltaUs = minus(b.unexplainedUs, a.unexplainedUs);
  return { ...sides, rows, ...(unexplainedDeltaUs !== undefined ? { unexplainedDeltaUs } : {}) };
}
