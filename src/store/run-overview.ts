/** What `list` shows of a stored run, and what says whether it is whole: small enough to keep for every run in an index. */
import type { RunManifest } from './manifest.js';
import type { Completeness } from './completeness.js';
import type { StoredDiagnostic } from '../model/diagnostic.js';
import type { StoredRun } from './run-reader.js';

export interface RunOverview {
  manifest: RunManifest;
  completeness: Completeness;
  /** What the reader skipped or found missing (empty for a sound run). */
  diagnostics: StoredDiagnostic[];
  /** Distinct cells with a record, records, and `ok` records. */
  cells: number;
  samples: number;
  ok: number;
}

export function overviewOf(run: StoredRun): RunOverview {
  return {
    manifest: run.manifest,
    completeness: run.completeness ?? { planned: run.manifest.plannedSamples, missing: [], shortCells: [] },
    diagnostics: run.diagnostics ?? [],
    cells: new Set(run.samples.map((s) => s.cellKey)).size,
    samples: run.samples.length,
    ok: run.samples.filter((s) => s.status === 'ok').length,
  };
}
