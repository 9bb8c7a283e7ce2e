/** The run manifest (run.json): what a results directory is and whether it is whole. */
import type { Accel } from '../model/sample.js';
import type { StoredWarning } from '../model/diagnostic.js';

/**
 * `incomplete` from the first write until the last: a run killed at any point
 * leaves a valid directory that says so. `complete` means every planned sample
 * has a record (some may be `failed` or `unsupported`).
 */
export type RunStatus = 'incomplete' | 'complete';

export interface RunManifest {
  schemaVersion: number;
  tool: { name: 'vblk-bench'; version: string };
  profileName: string;
  profilePath: string | null;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  accel: Accel;
  /** Why the run is incomplete, when it is (interrupted, boot failures...). */
  stopReason: string | null;
  /** What qualifies the results (TCG, unsupported cells, an import): typed diagnostics; text in runs stored before kinds existed. */
  warnings: StoredWarning[];
  /** Counts by sample status, filled in when the run ends. */
  counts: Record<string, number>;
  plannedSamples: number;
  /** One entry per `run --resume` of this directory. */
  resumes?: ResumeRecord[];
  /** The run's UUID, written when it starts and kept by `--resume`; absent in runs stored before ids existed (store/run-id.ts). */
  runId?: string;
  /** A merged run: the runs (shards) it was merged from, by id and directory name. */
  mergedFrom?: MergedSource[];
}

export interface MergedSource {
  runId: string;
  dir: string;
}

export interface ResumeRecord {
  startedAt: string;
  /** Planned samples that had no record when this resume started. */
  missingSamples: number;
  /** Suffix of the boot ids of this resume (`b001-g1-r0-s2`). */
  bootSuffix: string;
}
