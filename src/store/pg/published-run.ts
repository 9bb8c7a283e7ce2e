/**
 * What one run is in the database: everything a result set is built from
 * (manifest, profile, plan, environment, the guest's fio version, the
 * samples, what the reader skipped or found missing), keyed by the run's id.
 * Samples are published without their insight (per-window evidence that no
 * statistic reads; it stays in the results directory with the raw fio JSON,
 * the boot logs and traced-latency data — none of which is published).
 */
import type { Sample } from '../../model/sample.js';
import type { StoredDiagnostic } from '../../model/diagnostic.js';
import type { RunManifest } from '../manifest.js';
import type { Completeness } from '../completeness.js';
import { sha256Of } from '../../util/sha256.js';

export interface PublishedSource {
  /** Null for a merged run stored before runs had ids (its plan names the shards' directories only). */
  runId: string | null;
  dir: string;
}

export interface PublishedRun {
  runId: string;
  /** The results directory's name. */
  label: string;
  manifest: RunManifest;
  profile: unknown;
  plan: unknown;
  environment: Record<string, unknown>;
  guestFio: string | null;
  /** In measurement order, without `insight`. */
  samples: Sample[];
  diagnostics: StoredDiagnostic[];
  completeness: Completeness;
  /** A merged run's shards. */
  sources: PublishedSource[];
}

/** A sample as published: the record without its insight. */
export function publishedSample(sample: Sample): Sample {
  const { insight: _insight, ...rest } = sample;
  return rest;
}

/** The hash that says whether a published copy is this run's current content (publishing twice changes nothing). */
export function contentHash(run: PublishedRun): string {
  const { runId, label, manifest, profile, plan, environment, guestFio, samples, diagnostics, completeness, sources } =
    run;
  return sha256Of(
    JSON.stringify({
      runId,
      label,
      manifest,
      profile,
      plan,
      environment,
      guestFio,
      samples,
      diagnostics,
      completeness,
      sources,
    }),
  );
}
