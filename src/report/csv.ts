/**
 * CSV exporter (RFC 4180, CRLF): one row per sample (every repetition, every
 * status, every metric) or one row per cell (statistics of one metric). The
 * first columns are the same in both, so the files join on run + cell_key.
 */
import type { Sample } from '../model/sample.js';
import { METRIC } from '../model/sample.js';
import type { StoredRun } from '../store/run-reader.js';
import { basename } from 'node:path';
import { csvRecord } from './format.js';
import { axisValues, configAxes, type ReportModel } from './model.js';

export type CsvRows = 'sample' | 'cell';
export const CSV_ROWS: readonly CsvRows[] = ['sample', 'cell'];

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

export function renderSampleCsv(stored: readonly StoredRun[]): string {
  const all = stored.flatMap((r) => r.samples);
  const axes = axesOf(all);
  const metrics = metricNames(all);
  const head = ['run', 'cell_key', ...axes, 'repetition', 'status', 'reason', 'accel', 'group_id', 'boot_id', 'started_at', 'finished_at', ...metrics];
  const lines = [csvRecord(head)];
  for (const r of stored) {
    for (const s of r.samples) {
      lines.push(
        csvRecord([
          basename(r.dir), s.cellKey, ...axes.map((a) => s.cell[a]), s.repetition, s.status, s.reason, s.accel,
          s.groupId, s.bootId, s.startedAt, s.finishedAt, ...metrics.map((m) => s.metrics[m]?.value),
        ]),
      );
    }
  }
  return lines.join('');
}

export function renderCellCsv(model: ReportModel, stored: readonly StoredRun[]): string {
  const axes = axesOf(stored.flatMap((r) => r.samples));
  const head = [
    'run', 'cell_key', ...axes, 'metric', 'unit', 'n', 'ok', 'failed', 'unsupported', 'invalid',
    'median', 'ci_low', 'ci_high', 'ci_level', 'mean', 'stdev', 'cv', 'min', 'max', 'warnings', 'reasons',
  ];
  const lines = [csvRecord(head)];
  for (const c of model.cells) {
    const s = c.stats;
    lines.push(
      csvRecord([
        model.runs[c.run]!.label, c.cellKey, ...axes.map((a) => c.cell[a]), model.metric, model.unit, s?.n ?? 0,
        c.counts.ok, c.counts.failed, c.counts.unsupported, c.counts.invalid,
        s?.median, s?.ci?.low, s?.ci?.high, s?.ci?.achievedLevel, s?.mean, s?.stdev, s?.cv, s?.min, s?.max,
        [...new Set(s?.warnings.map((w) => w.kind) ?? [])].join(' '), c.reasons.join('; '),
      ]),
    );
  }
  return lines.join('');
}
