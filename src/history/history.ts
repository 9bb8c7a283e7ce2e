/**
 * Nightly history: per cell, the series of nightly medians (with the median's
 * confidence interval) over stored runs of one profile, and the change points
 * in each series (change-point.ts). Runs under another accelerator than the
 * latest one are left out (a TCG night next to KVM nights is not a shift of
 * the code). Each change point names what changed in the environment across
 * it (src/fingerprint: the fields the gate compares), the usual suspect. Pure.
 */
import type { CellValues } from '../model/sample.js';
import type { StoredRun } from '../store/run-reader.js';
import type { RunManifest } from '../store/manifest.js';
import { InputError } from '../model/errors.js';
import { compareFingerprints, describeDiff } from '../fingerprint/environment.js';
import { digestRun, unpackPoints, type HistoryDigest } from './run-digest.js';
import { detectChangePoints, type ChangePoint, type ChangePointOptions } from './change-point.js';
import { basename } from 'node:path';

export interface HistoryRun {
  label: string;
  startedAt: string;
  accel: string;
  status: string;
}

export interface HistoryPoint {
  /** Index into HistoryReport.runs. */
  run: number;
  median: number;
  low: number | null;
  high: number | null;
  n: number;
}

export interface CellChange extends ChangePoint {
  /** The first run after the change. */
  run: number;
  direction: 'regression' | 'improvement';
  /** What the environment fingerprint says changed between the runs either side. */
  environment: string[];
}

export interface CellHistory {
  cellKey: string;
  cell: CellValues;
  points: HistoryPoint[];
  changes: CellChange[];
}

export interface HistoryReport {
  profile: string;
  metric: string;
  better: 'higher' | 'lower';
  runs: HistoryRun[];
  /** Runs left out, with the reason. */
  excluded: string[];
  cells: CellHistory[];
  options: Required<Pick<ChangePointOptions, 'minSegment' | 'alpha' | 'minEffectPct'>>;
}

/** One run as history reads it: where it is, what its manifest says, and its digest (run-digest.ts). */
export interface HistorySource {
  dir: string;
  manifest: Pick<RunManifest, 'startedAt' | 'accel' | 'status'>;
  digest: HistoryDigest;
}

export function buildHistory(
  stored: readonly StoredRun[],
  opts: { profile: string; metric: string } & ChangePointOptions,
): HistoryReport {
  return buildHistoryOf(
    stored.map((r) => ({ dir: r.dir, manifest: r.manifest, digest: digestRun(r) })),
    opts,
  );
}

/** Per-cell points of one kept run, appended to `cells` (created in order of first occurrence). */
function addPoints(cells: Map<string, CellHistory>, source: HistorySource, run: number, metric: string): void {
  const points = unpackPoints(source.digest, metric);
  if (!points) throw new InputError(`${source.dir}: the history digest of this run is damaged`);
  source.digest.cells.forEach((info, i) => {
    let h = cells.get(info.cellKey);
    if (!h) cells.set(info.cellKey, (h = { cellKey: info.cellKey, cell: info.cell, points: [], changes: [] }));
    const p = points[i];
    if (p) h.points.push({ run, median: p.median, low: p.low, high: p.high, n: p.n });
  });
}

/** The history of runs given by their digests (the results index keeps one per run). */
export function buildHistoryOf(
  sources: readonly HistorySource[],
  opts: { profile: string; metric: string } & ChangePointOptions,
): HistoryReport {
  const sorted = [...sources].sort((a, b) => a.manifest.startedAt.localeCompare(b.manifest.startedAt));
  const latest = sorted[sorted.length - 1];
  const excluded: string[] = [];
  const kept = sorted.filter((r) => {
    if (latest && r.manifest.accel !== latest.manifest.accel) {
      excluded.push(`${basename(r.dir)}: accel ${r.manifest.accel} (the latest run used ${latest.manifest.accel})`);
      return false;
    }
    return true;
  });
  const runs: HistoryRun[] = kept.map((r) => ({
    label: basename(r.dir),
    startedAt: r.manifest.startedAt,
    accel: r.manifest.accel,
    status: r.manifest.status,
  }));
  // The direction recorded by the first sample that has the metric, over the kept runs in order.
  const better = kept.map((r) => r.digest.metrics[opts.metric]?.better).find((b) => b !== undefined) ?? 'higher';
  const cells = new Map<string, CellHistory>();
  kept.forEach((r, run) => addPoints(cells, r, run, opts.metric));
  const options = {
    minSegment: opts.minSegment ?? 4,
    alpha: opts.alpha ?? 0.01,
    minEffectPct: opts.minEffectPct ?? 5,
  };
  for (const h of cells.values()) {
    const found = detectChangePoints(
      h.points.map((p) => p.median),
      { ...opts, ...options },
    );
    h.changes = found.map((cp) => {
      const run = h.points[cp.index]!.run;
      const prev = h.points[cp.index - 1]!.run;
      const worse = better === 'higher' ? cp.deltaPct < 0 : cp.deltaPct > 0;
      const environment = compareFingerprints(
        kept[prev]!.digest.fingerprint,
        kept[run]!.digest.fingerprint,
        [],
      ).environment.map(describeDiff);
      return { ...cp, run, direction: worse ? 'regression' : 'improvement', environment };
    });
  }
  return { profile: opts.profile, metric: opts.metric, better, runs, excluded, cells: [...cells.values()], options };
}
