/** Grouping of samples by cell, the first step of every comparison. */
import type { CellValues, Sample, SampleStatus } from '../model/sample.js';

/** Chronological order: start time (ISO 8601 sorts as text), then repetition number. */
function chronological(x: Sample, y: Sample): number {
  return (x.startedAt < y.startedAt ? -1 : x.startedAt > y.startedAt ? 1 : 0) || x.repetition - y.repetition;
}

/**
 * Metric values of the `ok` samples of each cell, in chronological order (so the
 * first value is the first repetition). Samples without a finite value for
 * `metric` are skipped. Keys appear in order of first occurrence.
 */
export function groupSamples(samples: readonly Sample[], metric: string): Map<string, number[]> {
  const ordered = new Map<string, number[]>();
  for (const s of samples) if (!ordered.has(s.cellKey)) ordered.set(s.cellKey, []);
  for (const s of [...samples].sort(chronological)) {
    const value = s.metrics[metric]?.value;
    if (s.status === 'ok' && value !== undefined && Number.isFinite(value)) ordered.get(s.cellKey)?.push(value);
  }
  for (const [key, values] of ordered) if (values.length === 0) ordered.delete(key);
  return ordered;
}

export interface CellInfo {
  cellKey: string;
  cell: CellValues;
  /** Number of samples per status. */
  counts: Record<SampleStatus, number>;
  /** Distinct reasons given by non-ok samples. */
  reasons: string[];
}

/** Every cell that has at least one sample (of any status), in order of first occurrence. */
export function indexCells(samples: readonly Sample[]): Map<string, CellInfo> {
  const out = new Map<string, CellInfo>();
  for (const s of samples) {
    let info = out.get(s.cellKey);
    if (!info) {
      info = {
        cellKey: s.cellKey,
        cell: s.cell,
        counts: { ok: 0, failed: 0, unsupported: 0, invalid: 0 },
        reasons: [],
      };
      out.set(s.cellKey, info);
    }
    info.counts[s.status]++;
    if (s.status !== 'ok' && s.reason && !info.reasons.includes(s.reason)) info.reasons.push(s.reason);
  }
  return out;
}

/** The improvement direction recorded for `metric` (first sample that has it), else undefined. */
export function metricBetter(samples: readonly Sample[], metric: string): 'higher' | 'lower' | undefined {
  for (const s of samples) {
    const m = s.metrics[metric];
    if (m) return m.better;
  }
  return undefined;
}
