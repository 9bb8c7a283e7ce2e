/**
 * The history digest of a published run (src/store/pg/read-runs.ts), made
 * from the per-cell values the database keeps — no sample objects are
 * rebuilt — by the one digest maker (digestOfValues), with the fingerprint
 * the file path computes from the same facts.
 */
import type { PublishedHistoryRun } from '../store/pg/read-runs.js';
import { fingerprintOf } from '../fingerprint/environment.js';
import { digestOfValues, type HistoryDigest } from './run-digest.js';

export function digestOfPublished(run: PublishedHistoryRun, metric: string): HistoryDigest {
  return digestOfValues({
    cells: run.cells,
    // Like digestRun: a metric no sample of the run carries has no entry.
    metrics: run.better ? { [metric]: { better: run.better, values: run.cells.map((c) => c.values) } } : {},
    fingerprint: fingerprintOf({ environment: run.environment, profile: run.profile, observed: run.observed }),
  });
}
