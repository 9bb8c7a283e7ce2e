/**
 * A run's history digest: what `history` needs of one run and nothing more —
 * its cells (in order of first occurrence), per metric the direction of
 * improvement and per cell the point history plots (the median of the ok
 * samples' values, its confidence interval, their count), and the
 * environment fingerprint change points are explained with. Computed once,
 * when the run is indexed (src/store/results-index.ts), so reading a year of
 * runs reads numbers, not samples; points are packed as base64 float64 (per
 * cell: n, median, CI low, CI high; NaN for no interval) so they parse fast
 * and round-trip exactly (`--no-index` prints the same bytes).
 */
import type { z } from 'zod';
import type { StoredRun } from '../store/run-reader.js';
import type { DigestKind } from '../store/results-index.js';
import { HistoryDigestCommonSchema, HistoryDigestMetricSchema } from '../model/schemas/results-index.js';
import { groupSamples, indexCells, metricBetter } from '../compare/group.js';
import { fingerprintOf, type Fingerprint } from '../fingerprint/environment.js';
import type { CellValues } from '../model/sample.js';
import { median } from '../stats/descriptive.js';
import { medianCi } from '../stats/median-ci.js';
import { CELL_DEFAULTS } from '../stats/cell-stats.js';

type DigestMetric = z.output<typeof HistoryDigestMetricSchema>;

export interface HistoryDigest {
  cells: readonly { cellKey: string; cell: CellValues }[];
  metrics: Record<string, DigestMetric>;
  fingerprint: Fingerprint;
}

/** One cell's point in a run: what summarizeCell (src/stats/cell-stats.ts) says of its median. */
export interface CellPoint {
  median: number;
  low: number | null;
  high: number | null;
  n: number;
}

/** Bump when the digest's content or packing changes: stored digests of another version are rebuilt. */
export const HISTORY_DIGEST_VERSION = 'history-3';

/** Numbers packed per cell. */
const PER_CELL = 4;

/** The median and its interval as summarizeCell computes them (same functions, same level). */
function pointOf(values: readonly number[]): CellPoint {
  const ci = medianCi(values, CELL_DEFAULTS.level).ci;
  return { median: median(values), low: ci?.low ?? null, high: ci?.high ?? null, n: values.length };
}

function pack(cellValues: readonly (readonly number[] | undefined)[]): string {
  const flat = new Float64Array(cellValues.length * PER_CELL);
  cellValues.forEach((values, i) => {
    if (!values || values.length === 0) return; // n = 0: no point
    const p = pointOf(values);
    flat.set([p.n, p.median, p.low ?? NaN, p.high ?? NaN], i * PER_CELL);
  });
  return Buffer.from(flat.buffer).toString('base64');
}

/**
 * What a digest is built from, whatever the source (a results directory,
 * src/store/run-reader.ts; a published run, src/store/pg): the run's cells in
 * order of first occurrence, per metric its direction and per cell (same
 * order) the ok values in repetition order, and the run's fingerprint.
 */
export interface RunCellValues {
  cells: readonly { cellKey: string; cell: CellValues }[];
  metrics: Readonly<Record<string, { better: 'higher' | 'lower'; values: readonly (readonly number[] | undefined)[] }>>;
  fingerprint: Fingerprint;
}

/** The one way a digest is made: every source hands its cells' values here. */
export function digestOfValues(run: RunCellValues): HistoryDigest {
  const metrics: HistoryDigest['metrics'] = {};
  for (const [name, m] of Object.entries(run.metrics)) metrics[name] = { better: m.better, points: pack(m.values) };
  return { cells: run.cells.map((c) => ({ cellKey: c.cellKey, cell: c.cell })), metrics, fingerprint: run.fingerprint };
}

export function digestRun(run: Pick<StoredRun, 'samples' | 'environment' | 'profile'>): HistoryDigest {
  const cells = [...indexCells(run.samples).values()].map((c) => ({ cellKey: c.cellKey, cell: c.cell }));
  const names = new Set(run.samples.flatMap((s) => Object.keys(s.metrics)));
  const metrics: Record<string, RunCellValues['metrics'][string]> = {};
  for (const name of names) {
    const better = metricBetter(run.samples, name);
    if (!better) continue;
    const grouped = groupSamples(run.samples, name);
    metrics[name] = { better, values: cells.map((c) => grouped.get(c.cellKey)) };
  }
  const fingerprint = fingerprintOf({ environment: run.environment, profile: run.profile, samples: run.samples });
  return digestOfValues({ cells, metrics, fingerprint });
}

/**
 * How the results index stores a history digest: the cell list and the
 * fingerprint (each distinct one stored once per profile: most nights have
 * the same ones), and one part per metric (a reader loads only the metric it
 * follows).
 */
export const HISTORY_DIGEST: DigestKind<HistoryDigest, HistoryDigest['cells'], Fingerprint, DigestMetric> = {
  version: HISTORY_DIGEST_VERSION,
  build: digestRun,
  split: (d) => ({ shared: d.cells, context: d.fingerprint, metrics: d.metrics }),
  sharedSchema: HistoryDigestCommonSchema.shape.cells,
  contextSchema: HistoryDigestCommonSchema.shape.fingerprint,
  metricSchema: HistoryDigestMetricSchema,
  join: (cells, fingerprint, metrics) => ({ cells, fingerprint, metrics }),
};

/** Per cell (digest order) the point of `metric`, or undefined where the cell has none; null when the packing is damaged. */
export function unpackPoints(digest: HistoryDigest, metric: string): (CellPoint | undefined)[] | null {
  const packed = digest.metrics[metric];
  if (!packed) return digest.cells.map(() => undefined);
  const bytes = Buffer.from(packed.points, 'base64');
  if (bytes.length !== digest.cells.length * PER_CELL * 8) return null;
  const flat = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out: (CellPoint | undefined)[] = [];
  for (let at = 0; at < flat.length; at += PER_CELL) {
    const [n, med, low, high] = [flat[at]!, flat[at + 1]!, flat[at + 2]!, flat[at + 3]!];
    if (!Number.isInteger(n) || n < 0) return null;
    if (n === 0) {
      out.push(undefined);
      continue;
    }
    if (!Number.isFinite(med) || Number.isNaN(low) !== Number.isNaN(high)) return null;
    out.push({ median: med, low: Number.isNaN(low) ? null : low, high: Number.isNaN(high) ? null : high, n });
  }
  return out;
}
