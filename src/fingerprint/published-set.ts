/**
 * Result sets and the database: a results directory as the run `publish`
 * stores (PublishedRun), and a published run back as the ResultSet
 * `compare` and `gate` read — the same structure the file reader builds, so
 * every statistic after it is the same code whichever the source.
 */
import { basename } from 'node:path';
import { loadRun, type StoredRun } from '../store/run-reader.js';
import { runIdOf } from '../store/run-id.js';
import { publishedSample, type PublishedRun, type PublishedSource } from '../store/pg/published-run.js';
import type { StoredPlan } from '../model/schemas/plan.js';
import { fingerprintOf, type Fingerprint } from './environment.js';
import { guestFioFromRaw, loadResultSet, runResultSet, type ResultSet } from './result-set.js';
import type { DbSource } from '../store/pg/connection.js';
import { isRunRef, publishedRunFromDb } from '../store/pg/read-runs.js';

/** A merged run's shards: run.json's `mergedFrom`, or — merged before runs had ids — the directory names its plan keeps. */
function sourcesOf(run: StoredRun): PublishedSource[] {
  if (run.manifest.mergedFrom) return run.manifest.mergedFrom.map((s) => ({ runId: s.runId, dir: s.dir }));
  const plan = run.plan as Partial<Extract<StoredPlan, { merged: true }>> | null;
  return plan?.merged === true && Array.isArray(plan.sources)
    ? plan.sources.map((s) => ({ runId: null, dir: s.dir }))
    : [];
}

/** A stored run as published, with its fingerprint (path → value) for the fingerprints table. */
export async function publishableRun(dir: string): Promise<{ run: PublishedRun; fingerprint: Fingerprint }> {
  // Published samples carry no insight: the lean reader (a fresh summary.json, else the files) gives the same records.
  const stored = await loadRun(dir, { insight: false });
  const guestFio = await guestFioFromRaw(stored.dir, stored.samples);
  const run: PublishedRun = {
    runId: runIdOf(stored),
    label: basename(stored.dir),
    manifest: stored.manifest,
    profile: stored.profile,
    plan: stored.plan,
    environment: stored.environment,
    guestFio,
    samples: stored.samples.map(publishedSample),
    diagnostics: stored.diagnostics ?? [],
    completeness: stored.completeness ?? { planned: stored.samples.length, missing: [], shortCells: [] },
    sources: sourcesOf(stored),
  };
  const fingerprint = fingerprintOf({
    environment: run.environment,
    profile: run.profile,
    samples: run.samples,
    guestFio,
  });
  return { run, fingerprint };
}

/** Where a published run is shown as coming from (the `path` of its result set). */
export const publishedPath = (runId: string): string => `database run ${runId}`;

/** A published run as a result set, built like the file reader builds one. */
export function resultSetOfPublished(run: PublishedRun): ResultSet {
  return runResultSet(run.label, publishedPath(run.runId), run, run.guestFio);
}

/**
 * A result set named on the command line: with a database, a run id or
 * `latest:<profile>` is read from it; anything else is a results directory
 * or a baseline file.
 */
export async function loadResultSetFrom(arg: string, db: DbSource | null): Promise<ResultSet> {
  if (db && isRunRef(arg)) return resultSetOfPublished(await publishedRunFromDb(db, arg));
  return loadResultSet(arg);
}
