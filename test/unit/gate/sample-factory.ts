/** Builds Sample records for compare and gate tests (the one factory; import it, do not copy it). */
import { cellKeyOf } from '../../../src/model/cell-key.js';
import {
  RESULTS_SCHEMA_VERSION,
  type CellValues,
  type Metric,
  type Sample,
  type SampleStatus,
} from '../../../src/model/sample.js';

/** Units and directions of the metrics used in tests; anything else is 'higher'. */
const METRIC_META: Record<string, Omit<Metric, 'value'>> = {
  iops: { unit: 'IOPS', better: 'higher' },
  bw_bytes_per_s: { unit: 'B/s', better: 'higher' },
  clat_p99_ns: { unit: 'ns', better: 'lower' },
  clat_mean_ns: { unit: 'ns', better: 'lower' },
};

export interface SampleOptions {
  status?: SampleStatus;
  reason?: string;
  repetition?: number;
  /** Defaults to a time derived from the repetition, so chronological = repetition order. */
  startedAt?: string;
}

export function makeSample(cell: CellValues, metrics: Record<string, number>, opts: SampleOptions = {}): Sample {
  const repetition = opts.repetition ?? 0;
  const startedAt = opts.startedAt ?? new Date(Date.UTC(2024, 0, 1, 0, 0, repetition)).toISOString();
  const status = opts.status ?? 'ok';
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    cellKey: cellKeyOf(cell),
    cell,
    requested: cell,
    groupId: 'g0',
    bootId: 'boot0',
    repetition,
    startedAt,
    finishedAt: startedAt,
    status,
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    accel: 'kvm',
    metrics:
      status === 'ok'
        ? Object.fromEntries(
            Object.entries(metrics).map(([name, value]) => [
              name,
              { value, ...(METRIC_META[name] ?? { unit: '', better: 'higher' }) },
            ]),
          )
        : {},
    observed: {},
    notices: [],
  };
}

/** One `ok` sample per value of `metric`, repetitions 0..n-1. */
export function makeRuns(cell: CellValues, metric: string, values: readonly number[]): Sample[] {
  return values.map((value, repetition) => makeSample(cell, { [metric]: value }, { repetition }));
}

/** One `ok` sample per index with several metrics (arrays of equal length). */
export function makeRunsMulti(cell: CellValues, metrics: Record<string, readonly number[]>): Sample[] {
  const n = Math.min(...Object.values(metrics).map((v) => v.length));
  return Array.from({ length: n }, (_, repetition) =>
    makeSample(cell, Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v[repetition] ?? NaN])), {
      repetition,
    }),
  );
}
