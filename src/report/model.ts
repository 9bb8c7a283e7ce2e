/**
 * The one model every report exporter renders (src/report/export: table,
 * JSON, CSV, Markdown, HTML, Go benchmark), built once from stored runs:
 * per-cell statistics with the median's confidence interval and the host
 * steal (src/stats), the typed cell warnings grouped by explanation, chart
 * series (metric vs iodepth per configuration), the metric × iodepth matrix
 * and host-reference ratios per run, comparison tables with significance
 * markers (src/compare), anomalies, run warnings and the insight breakdown
 * (src/breakdown/breakdown.ts) when samples carry one. Pure; the latency
 * section of traced runs is read apart and added by report-latency.ts.
 */
import type { AxisValue, CellValues, Sample, SampleStatus } from '../model/sample.js';
import { METRIC } from '../model/metrics.js';
import type { StoredRun } from '../store/run-reader.js';
import type { RunManifest } from '../store/manifest.js';
import { AXES } from '../profile/axes.js';
import { summarizeCell, type CellStats } from '../stats/cell-stats.js';
import { stealByCell } from '../fingerprint/steal.js';
import { cellKeyOf } from '../model/cell-key.js';
import { groupSamples, indexCells, metricBetter } from '../compare/group.js';
import { compareSets } from '../compare/compare-sets.js';
import { compareWithinRun } from '../compare/within-run.js';
import { findAnomalies, type Anomaly } from '../compare/anomalies.js';
import type { ComparisonRow } from '../compare/types.js';
import { defaultBreakdowns, type AxisBreakdown } from '../breakdown/breakdown.js';
import { fingerprintOf, type Fingerprint } from '../fingerprint/environment.js';
import { basename } from 'node:path';
import { buildIopsMatrix, type IopsMatrix } from './iops-matrix.js';
import { buildReferenceRatios, type ReferenceRatios } from './reference-table.js';
import { groupWarnings, renderDiagnostic, type RenderedDiagnostic, type WarningGroup } from './warnings.js';
import { storedWarning, uniqueDiagnostics, type Diagnostic } from '../model/diagnostic.js';
import { cellLabel, varyingAxes } from './labels.js';
import type { LatencyReport } from '../latency/explain-latency.js';

export const REPORT_DEFAULTS = { metric: METRIC.iops, alpha: 0.05, seed: 1, depthAxis: 'iodepth' } as const;

export interface ReportRun {
  /** The results directory's name, e.g. `quick-20261126T051715Z`. */
  label: string;
  dir: string;
  manifest: RunManifest;
  environment: Record<string, unknown>;
  /** What the gate compares (src/fingerprint): environment.json and the profile, as dotted paths. */
  fingerprint: Fingerprint;
  /** Every sample as stored, for the per-sample formats (CSV rows, Go benchmark lines); not in the JSON. */
  samples: Sample[];
}

export interface CellReport {
  /** Index into `runs`. */
  run: number;
  cellKey: string;
  cell: CellValues;
  /** The axes that tell the cells of the report apart (`ioeventfd=on iodepth=4`; all of them when none does), without the run. */
  label: string;
  /** The cell without the depth axis: one line of a chart. */
  configKey: string;
  depth: AxisValue | null;
  /** Statistics of the metric over the ok samples; null when none. */
  stats: CellStats | null;
  counts: Record<SampleStatus, number>;
  reasons: string[];
  /** Mean host CPU steal in % over the fio windows of the ok samples (fingerprint/steal.ts); null when not recorded. */
  stealPct: number | null;
}

/** Where a cell warning applies: the cell of one run. */
export interface CellRef {
  run: number;
  cellKey: string;
  label: string;
}

export interface SeriesPoint {
  x: number;
  y: number;
  /** Median CI; null when n is too small for one. */
  low: number | null;
  high: number | null;
  n: number;
}

export interface ChartSeries {
  run: number;
  configKey: string;
  /** The axes that differ between configurations (all of them when nothing varies). */
  label: string;
  points: SeriesPoint[];
}

export interface ComparisonTable {
  title: string;
  /** Within one run: the axis compared (its baseline value is A). */
  axis?: string;
  /** What A (the baseline) and B are. */
  baseline: string;
  candidate: string;
  rows: ComparisonRow[];
}

export interface RunBreakdowns {
  run: number;
  /** src/breakdown/breakdown.ts: per axis, each pair of cells with host CPU per I/O by thread role, exits, interrupts. */
  axes: AxisBreakdown[];
}

/** The latency section (report-latency.ts): the `explain --latency` report of the runs' traced cells. */
export interface ReportLatency extends LatencyReport {
  /** One line per latency map (or traces/ directory) that could not be used, naming the file. */
  problems: string[];
}

export interface ReportModel {
  title: string;
  metric: string;
  unit: string;
  better: 'higher' | 'lower';
  depthAxis: string;
  /** Axes that tell configurations apart (those that vary; all of them when none does). */
  labelAxes: string[];
  alpha: number;
  runs: ReportRun[];
  cells: CellReport[];
  series: ChartSeries[];
  comparisons: ComparisonTable[];
  anomalies: { run: number; anomaly: Anomaly }[];
  /** The typed warnings of every cell's statistics (steal included), one entry per distinct explanation. */
  cellWarnings: WarningGroup<CellRef>[];
  /** Per run: the metric × iodepth matrix with each cell's change against the reference row. */
  matrices: IopsMatrix[];
  /** Per run: every cell as a fraction of the host-native reference, or null when the run has none. */
  references: (ReferenceRatios | null)[];
  /** Run-level diagnostics (TCG, unsupported cells, incomplete runs), deduplicated, in order. */
  warnings: RenderedDiagnostic[];
  /** The "why" breakdown, for runs whose samples carry `insight` (empty otherwise). */
  breakdowns: RunBreakdowns[];
  /**
   * Where the time goes: the traced pass's per-layer latency maps
   * (report-latency.ts), read apart from the samples; absent when no run has traces/.
   */
  latency?: ReportLatency;
}

export interface ReportModelOptions {
  metric?: string;
  alpha?: number;
  seed?: number;
  /** Within one run: compare along this axis only (`axis` or `axis=baseline`); default every varying axis. */
  by?: string;
  title?: string;
}

/** Axes in canonical order that occur in the samples, minus the depth axis. */
export function configAxes(samples: readonly Sample[], depthAxis: string): string[] {
  const present = new Set(samples.flatMap((s) => Object.keys(s.cell)));
  return AXES.map((a) => a.name).filter((a) => a !== depthAxis && present.has(a));
}

/** Distinct values of one axis in order of first occurrence. */
export function axisValues(samples: readonly Sample[], axis: string): AxisValue[] {
  return [...new Set(samples.map((s) => s.cell[axis]).filter((v): v is AxisValue => v !== undefined))];
}

function unitOf(samples: readonly Sample[], metric: string): string {
  for (const s of samples) if (s.metrics[metric]) return s.metrics[metric].unit;
  return '';
}

function runWarnings(run: ReportRun): Diagnostic[] {
  const out = run.manifest.warnings.map(storedWarning);
  if (run.manifest.status !== 'complete')
    out.push({ kind: 'RunIncomplete', run: run.label, dir: run.dir, stopReason: run.manifest.stopReason });
  return out;
}

function comparisonsWithin(
  samples: readonly Sample[],
  axes: string[],
  opts: Required<Pick<ReportModelOptions, 'metric' | 'alpha' | 'seed'>> & { by?: string },
): ComparisonTable[] {
  const [byAxis, byBaseline] = opts.by
    ? (opts.by.split('=', 2) as [string, string | undefined])
    : [undefined, undefined];
  const tables: ComparisonTable[] = [];
  for (const axis of byAxis ? [byAxis] : axes) {
    const values = axisValues(samples, axis);
    if (values.length < 2) continue;
    const baseline = byBaseline ?? values[0]!;
    const rows = compareWithinRun(samples, { axis, baseline, metric: opts.metric, alpha: opts.alpha, seed: opts.seed });
    const others = values.filter((v) => String(v) !== String(baseline));
    tables.push({
      title: `${axis}: ${others.join(', ')} vs ${baseline}`,
      axis,
      baseline: `${axis}=${baseline}`,
      candidate: others.map((v) => `${axis}=${v}`).join(', '),
      rows,
    });
  }
  return tables;
}

interface CellContext {
  metric: string;
  better: 'higher' | 'lower';
  depthAxis: string;
  /** Axes in the cell labels (those that vary between the report's cells). */
  shownAxes: string[];
  /** Axes in the chart-line labels (the configuration without the depth). */
  labelAxes: string[];
}

/** One run's cells with their statistics (steal included), and its chart lines: metric vs depth per configuration. */
function runCells(
  r: StoredRun,
  run: number,
  runLabel: string | null,
  ctx: CellContext,
): { cells: CellReport[]; series: ChartSeries[] } {
  const values = groupSamples(r.samples, ctx.metric);
  const steal = stealByCell(r.samples);
  const cells: CellReport[] = [];
  const bySeries = new Map<string, ChartSeries>();
  for (const info of indexCells(r.samples).values()) {
    const v = values.get(info.cellKey);
    const stealPct = steal.get(info.cellKey) ?? null;
    const stats = v ? summarizeCell(v, { better: ctx.better, stealPct: stealPct ?? undefined }) : null;
    const configKey = cellKeyOf(info.cell, ctx.depthAxis);
    const depth = info.cell[ctx.depthAxis] ?? null;
    const label = cellLabel(info.cell, ctx.shownAxes);
    cells.push({
      run,
      cellKey: info.cellKey,
      cell: info.cell,
      label,
      configKey,
      depth,
      stats,
      counts: info.counts,
      reasons: info.reasons,
      stealPct,
    });
    if (!stats || typeof depth !== 'number') continue;
    let s = bySeries.get(configKey);
    if (!s) {
      const line = ctx.labelAxes.map((a) => `${a}=${info.cell[a]}`).join(' ');
      bySeries.set(configKey, (s = { run, configKey, label: runLabel ? `${runLabel}: ${line}` : line, points: [] }));
    }
    s.points.push({ x: depth, y: stats.median, low: stats.ci?.low ?? null, high: stats.ci?.high ?? null, n: stats.n });
  }
  return { cells, series: [...bySeries.values()].map((s) => ({ ...s, points: s.points.sort((a, b) => a.x - b.x) })) };
}

export function buildReportModel(stored: readonly StoredRun[], opts: ReportModelOptions = {}): ReportModel {
  const metric = opts.metric ?? REPORT_DEFAULTS.metric;
  const alpha = opts.alpha ?? REPORT_DEFAULTS.alpha;
  const seed = opts.seed ?? REPORT_DEFAULTS.seed;
  const depthAxis = REPORT_DEFAULTS.depthAxis;
  const all = stored.flatMap((r) => r.samples);
  const better = metricBetter(all, metric) ?? 'higher';
  const axes = configAxes(all, depthAxis);
  const varying = axes.filter((a) => axisValues(all, a).length > 1);
  const labelAxes = varying.length > 0 ? varying : axes;

  const runs: ReportRun[] = stored.map((r) => ({
    label: basename(r.dir),
    dir: r.dir,
    manifest: r.manifest,
    environment: r.environment,
    fingerprint: fingerprintOf({ environment: r.environment, profile: r.profile, samples: r.samples }),
    samples: r.samples,
  }));
  const ctx: CellContext = {
    metric,
    better,
    depthAxis,
    labelAxes,
    shownAxes: varyingAxes([...indexCells(all).values()].map((c) => c.cell)),
  };
  const perRun = stored.map((r, run) => runCells(r, run, stored.length > 1 ? runs[run]!.label : null, ctx));
  const cells = perRun.flatMap((p) => p.cells);

  const comparisons: ComparisonTable[] =
    stored.length > 1
      ? stored.slice(1).map((r, i) => ({
          title: `${runs[i + 1]!.label} vs ${runs[0]!.label}`,
          baseline: runs[0]!.label,
          candidate: runs[i + 1]!.label,
          rows: compareSets(stored[0]!.samples, r.samples, { metric, alpha, seed }),
        }))
      : stored[0]
        ? comparisonsWithin(stored[0].samples, axes, { metric, alpha, seed, by: opts.by })
        : [];

  const matrices = stored.map((r) => buildIopsMatrix(r.samples, { metric }));
  const profiles = [...new Set(runs.map((r) => r.manifest.profileName))];
  return {
    title: opts.title ?? `vblk-bench: ${profiles.join(', ')}`,
    metric,
    unit: unitOf(all, metric),
    better,
    depthAxis,
    labelAxes,
    alpha,
    runs,
    cells,
    series: perRun.flatMap((p) => p.series),
    comparisons,
    anomalies: stored.flatMap((r, run) =>
      findAnomalies(r.samples, { alpha, metric }).map((anomaly) => ({ run, anomaly })),
    ),
    cellWarnings: groupWarnings(
      cells.map((c) => ({
        cell: { run: c.run, cellKey: c.cellKey, label: c.label },
        warnings: c.stats?.warnings ?? [],
      })),
    ),
    matrices,
    references: stored.map((r, run) =>
      r.reference?.length ? buildReferenceRatios(matrices[run]!, r.reference) : null,
    ),
    warnings: uniqueDiagnostics(runs.flatMap(runWarnings)).map(renderDiagnostic),
    breakdowns: stored.map((r, run) => ({ run, axes: defaultBreakdowns(r.samples) })).filter((b) => b.axes.length > 0),
  };
}
