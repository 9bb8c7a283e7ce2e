/** The model of `list`'s output: the stored runs of a results directory, newest first. */
import type { RunManifest } from '../store/manifest.js';
import type { RunOverview } from '../store/run-overview.js';
import { explain } from '../model/diagnostic.js';
import { wholenessStatus } from '../store/wholeness.js';

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
    }
  /** A directory with a run.json that could not be read, and why. */
  | { dir: string; error: string };

export interface RunListing {
  runs: ListedRunEntry[];
}

/** From each run's overview (the results index keeps one per run), or why it could not be read. */
export function buildRunListing(
  found: readonly { dir: string; overview: RunOverview | null; error?: string }[],
): RunListing {
  return {
    runs: found.map(({ dir, overview, error }) =>
      overview
        ? {
            dir,
            manifest: overview.manifest,
            cells: overview.cells,
            samples: overview.samples,
            ok: overview.ok,
            planned: overview.completeness.planned,
            status: wholenessStatus(overview),
            problems: overview.diagnostics.map(explain),
          }
        : { dir, error: error ?? 'unreadable' },
    ),
  };
}
