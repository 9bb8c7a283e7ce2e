/**
 * CSV exporter of a report (RFC 4180, CRLF): one row per sample (every
 * repetition, every status, every metric) or one row per cell (statistics of
 * the report's metric), `--rows sample|cell`. The first columns are the same
 * in both, so the files join on run + cell_key; both carry the kinds of the
 * typed warnings of the cell's statistics (steal included).
 */
import type { Sample } from '../../model/sample.js';
import { METRIC } from '../../model/metrics.js';
import { csvRecord } from '../format.js';
import { axisValues, configAxes, type CellReport, type ReportModel } from '../model.js';
import type { Exporter } from './exporter.js';

export const CSV_ROWS = ['sample', 'cell'] as const;

function axesOf(samples: readonly Sample[]): string[] {
  const axes = configAxes(samples, '');
  return axes.filter((a) => axisValues(samples, a).length > 0);
}

/** Known metrics in their usual order, then any others alphabetically. */
function metricNames(samples: readonly Sample[]): string[] {
  const known: string[] = Object.values(METRIC);
  const seen = new Set(samples.flatMap((s) => Object.keys(s.metrics)));
  return [...known.filter((m) => seen.has(m)), ...[...seen].filter((m) => !known.includes(m)).sort()];
}

const warningKinds = (c: CellReport | undefined) => [...new Set(c?.stats?.warnings.map((w) => w.kind) ?? [])].join(' ');

export function renderSampleCsv(model: ReportModel): string {
  const all = model.runs.flatMap((r) => r.samples);
  const axes = axesOf(all);
  const metrics = metricNames(all);
  const head = [
    'run',
    'cell_key',
    ...axes,
    'repetition',
    'status',
    'reason',
    'accel',
    'group_id',
    'boot_id',
    'started_at',
    'finished_at',
    ...metrics,
    'cell_warnings',
  ];
  const lines = [csvRecord(head)];
  model.runs.forEach((r, run) => {
    const cells = new Map(model.cells.filter((c) => c.run === run).map((c) => [c.cellKey, c]));
    for (const s of r.samples) {
      lines.push(
        csvRecord([
          r.label,
          s.cellKey,
          ...axes.map((a) => s.cell[a]),
          s.repetition,
          s.status,
          s.reason,
          s.accel,
          s.groupId,
          s.bootId,
          s.startedAt,
          s.finishedAt,
          ...metrics.map((m) => s.metrics[m]?.value),
          warningKinds(cells.get(s.cellKey)),
        ]),
      );
    }
  });
  return lines.join('');
}

export function renderCellCsv(model: ReportModel): string {
  const axes = axesOf(model.runs.flatMap((r) => r.samples));
  const head = [
    'run',
    'cell_key',
    ...axes,
    'metric',
    'unit',
    'n',
    'ok',
    'failed',
    'unsupported',
    'invalid',
    'median',
    'ci_low',
    'ci_high',
    'ci_level',
    'mean',
    'stdev',
    'cv',
    'min',
    'max',
    'host_steal_pct',
    'warnings',
    'reasons',
  ];
  const lines = [csvRecord(head)];
  for (const c of model.cells) {
    const s = c.stats;
    lines.push(
      csvRecord([
        model.runs[c.run]!.label,
        c.cellKey,
        ...axes.map((a) => c.cell[a]),
        model.metric,
        model.unit,
        s?.n ?? 0,
        c.counts.ok,
        c.counts.failed,
        c.counts.unsupported,
        c.counts.invalid,
        s?.median,
        s?.ci?.low,
        s?.ci?.high,
        s?.ci?.achievedLevel,
        s?.mean,
        s?.stdev,
        s?.cv,
        s?.min,
        s?.max,
        c.stealPct,
        warningKinds(c),
        c.reasons.join('; '),
      ]),
    );
  }
  return lines.join('');
}

export const reportCsv: Exporter<ReportModel> = {
  format: 'csv',
  render: (model, ctx) => (ctx.rows === 'cell' ? renderCellCsv(model) : renderSampleCsv(model)),
};
