/** The model of `list`'s output: the stored runs of a results directory, newest first. */
import type { RunManifest } from '../store/manifest.js';
import type { StoredRun } from '../store/run-reader.js';
import { explain } from '../model/diagnostic.js';
import { wholenessStatus } from '../store/wholeness.js';
import type { PublishedListing } from '../store/pg/read-runs.js';

export type ListedRunEntry =
  | {
      dir: string;
      manifest: RunManifest;
      cells: number;
      samples: number;
      ok: number;
      /** Planned samples, from plan.json (what run.json's plannedSamples claims is checked against it). */
      planned: number;
      /** run.json's status with what is missing or skipped: `complete, 1 of 24 missing, 1 file(s) skipped`. */
      status: string;
      /** What the reader skipped or found missing, one line each (empty for a sound run). */
      problems: string[];
      /** The run's id, when listed from the database (`list --db`). */
      runId?: string;
    }
  /** A directory with a run.json that could not be read, and why. */
  | { dir: string; error: string };

export interface RunListing {
  runs: ListedRunEntry[];
}

/** From what `findRuns` read: each run's manifest and counts, or why it could not be read. */
export function buildRunListing(found: readonly { dir: string; run: StoredRun | null; error?: string }[]): RunListing {
  return {
    runs: found.map(({ dir, run, error }) =>
      run
        ? {
            dir,
            manifest: run.manifest,
            cells: new Set(run.samples.map((s) => s.cellKey)).size,
            samples: run.samples.length,
            ok: run.samples.filter((s) => s.status === 'ok').length,
            planned: run.completeness?.planned ?? run.manifest.plannedSamples,
            status: wholenessStatus(run),
            problems: (run.diagnostics ?? []).map(explain),
          }
        : { dir, error: error ?? 'unreadable' },
    ),
  };
}

/** `list --db`: the same entries from the database's counts (what the reader found is stored with each run). */
export function buildPublishedListing(rows: readonly PublishedListing[]): RunListing {
  return {
    runs: rows.map((r) => ({
      dir: r.label,
      manifest: r.manifest,
      cells: r.cells,
      samples: r.samples,
      ok: r.ok,
      planned: r.completeness.planned,
      status: wholenessStatus({ ...r, samples: [] }),
      problems: r.diagnostics.map(explain),
      runId: r.runId,
    })),
  };
}
