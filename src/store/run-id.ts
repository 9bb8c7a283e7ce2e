/**
 * The id of a stored run. Directory names (`<profile>-<UTC second>`) are
 * not unique — shards started in the same second on two runners collide —
 * so every run writes a random UUID into run.json (`runId`) when it starts.
 * A run stored before ids existed gets a derived one: the version-5 UUID of
 * its profile name, its start time (milliseconds) and the sha256 of its plan
 * (plan.json as parsed, re-serialised), so the same stored run always gets
 * the same id and two shards never share one (their plans differ).
 */
import { sha256Of } from '../util/sha256.js';
import { uuidV5 } from '../util/uuid.js';
import type { RunManifest } from './manifest.js';

/** The namespace of derived run ids (a fixed random UUID; changing it would change every derived id). */
export const RUN_ID_NAMESPACE = '5f0c7a3e-2b8d-4c51-9e6a-0d4b7f19c2a8';

/** The derived id of a run without `runId`: v5(namespace, `profileName\nstartedAt\nsha256(plan)`). */
export function derivedRunId(manifest: Pick<RunManifest, 'profileName' | 'startedAt'>, plan: unknown): string {
  return uuidV5(RUN_ID_NAMESPACE, `${manifest.profileName}\n${manifest.startedAt}\n${sha256Of(JSON.stringify(plan))}`);
}

/** run.json's `runId`, or the derived id of a run stored before ids existed. */
export function runIdOf(run: {
  manifest: Pick<RunManifest, 'runId' | 'profileName' | 'startedAt'>;
  plan: unknown;
}): string {
  return run.manifest.runId ?? derivedRunId(run.manifest, run.plan);
}
