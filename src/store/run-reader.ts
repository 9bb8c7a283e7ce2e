/**
 * Reads a results directory back. Every later command (report, compare,
 * gate, merge, list, history, explain, baseline save) starts here, through
 * the validated reader (stored-file.ts): run.json, profile.json and
 * plan.json must be sound (else one `file: field: problem` line, exit 2); a
 * damaged sample is skipped with a diagnostic and counts as missing, so
 * `--resume` measures it again; what the plan holds and the valid records
 * lack is missing whatever run.json claims.
 */
import { AdaptiveRecordSchema, type AdaptiveRecord } from '../model/schemas/adaptive.js';
import { join } from 'node:path';
import { InputError } from '../model/errors.js';
import type { Sample } from '../model/sample.js';
import { SampleSchema } from '../model/schemas/sample.js';
import { RunManifestSchema } from '../model/schemas/manifest.js';
import { StoredEnvironmentSchema, StoredProfileSchema } from '../model/schemas/environment.js';
import { StoredPlanSchema, type StoredPlan } from '../model/schemas/plan.js';
import type { RunManifest } from './manifest.js';
import { loadReference, type ReferenceRecord } from './reference-store.js';
import { ADAPTIVE_FILE, ENVIRONMENT_FILE, PLAN_FILE, PROFILE_FILE, RUN_FILE, SAMPLES_DIR } from './layout.js';
import { MAX_FILE_BYTES, FileProblem, listFilesUnder, readJsonUnder } from './stored-file.js';
import { admitSamples, type SampleCandidate } from './admit-samples.js';
import { plannedSlots, unsupportedCellKeys, type Completeness, type SampleSlot } from './completeness.js';
import type { StoredDiagnostic } from '../model/diagnostic.js';

export interface StoredRun {
  dir: string;
  manifest: RunManifest;
  profile: unknown;
  environment: Record<string, unknown>;
  plan: unknown;
  /** Valid records, one per planned (cell, repetition), in the order they were measured. */
  samples: Sample[];
  /** Host-native reference records (`reference: host`), empty when the run has none. */
  reference?: ReferenceRecord[];
  /** What the reader skipped or found missing; empty (or absent, for runs built in memory) when the run is sound. */
  diagnostics?: StoredDiagnostic[];
  /** Planned samples and those without a valid record (absent for runs built in memory). */
  completeness?: Completeness;
  /** `repetitions: auto`: what the rule decided and where it stopped (adaptive.json); null otherwise. */
  adaptive?: AdaptiveRecord | null;
}

/** Samples read in parallel, this many at a time. */
const READ_CONCURRENCY = 16;

/** A file the run cannot be read without: any problem is bad input (exit 2). */
async function readRequired<T>(read: () => Promise<T>, hint = ''): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof FileProblem) throw new InputError(`${err.message}${err.problem === 'missing' ? hint : ''}`);
    throw err;
  }
}

/** adaptive.json of a `repetitions: auto` run; null when there is none (a fixed-count run, or one still running). */
export async function readAdaptive(dir: string): Promise<AdaptiveRecord | null> {
  try {
    return await readJsonUnder(dir, ADAPTIVE_FILE, AdaptiveRecordSchema, MAX_FILE_BYTES.adaptive);
  } catch (err) {
    if (err instanceof FileProblem && err.problem === 'missing') return null;
    if (err instanceof FileProblem) throw new InputError(err.message);
    throw err;
  }
}

/** Where the stopping rule ended each cell's rounds: only when it did (an interrupted auto run plans its maximum). */
export function stoppedRounds(adaptive: AdaptiveRecord | null): Map<string, number> | undefined {
  if (!adaptive || adaptive.stop === 'interrupted') return undefined;
  return new Map(adaptive.cells.map((c) => [c.cellKey, c.rounds]));
}

async function readEnvironment(dir: string): Promise<Record<string, unknown>> {
  try {
    return await readJsonUnder(dir, ENVIRONMENT_FILE, StoredEnvironmentSchema, MAX_FILE_BYTES.environment);
  } catch (err) {
    // Runs recorded before environment.json existed have none: an empty environment, which a comparison shows.
    if (err instanceof FileProblem && err.problem === 'missing') return {};
    if (err instanceof FileProblem) throw new InputError(err.message);
    throw err;
  }
}

/** The planned (cell, repetition) slots of a stored plan; an inconsistent plan is bad input. */
export function plannedSlotsOf(
  plan: StoredPlan,
  file: string,
  roundsPerCell?: ReadonlyMap<string, number>,
): SampleSlot[] {
  try {
    return plannedSlots(plan, roundsPerCell);
  } catch (err) {
    throw new InputError(`${file}: ${(err as Error).message}`);
  }
}

/** Every sample file that passes the sample schema, in file order; the others as diagnostics. */
async function readSampleFiles(dir: string, diagnostics: StoredDiagnostic[]): Promise<SampleCandidate[]> {
  const listing = await readRequired(() => listFilesUnder(dir, SAMPLES_DIR));
  for (const s of listing.skipped)
    diagnostics.push({
      kind: 'StoredFileSkipped',
      what: 'sample',
      file: join(dir, SAMPLES_DIR, s.name),
      problem: s.problem,
    });
  const names = listing.files.filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  const results: (SampleCandidate | StoredDiagnostic)[] = [];
  for (let i = 0; i < names.length; i += READ_CONCURRENCY) {
    const batch = names
      .slice(i, i + READ_CONCURRENCY)
      .map(async (name): Promise<SampleCandidate | StoredDiagnostic> => {
        const rel = `${SAMPLES_DIR}/${name}`;
        try {
          return {
            file: join(dir, rel),
            sample: (await readJsonUnder(dir, rel, SampleSchema, MAX_FILE_BYTES.sample)) as Sample,
          };
        } catch (err) {
          if (!(err instanceof FileProblem)) throw err;
          return { kind: 'StoredFileSkipped', what: 'sample', file: join(dir, rel), problem: err.problem };
        }
      });
    results.push(...(await Promise.all(batch)));
  }
  const candidates: SampleCandidate[] = [];
  for (const r of results) {
    if ('kind' in r) diagnostics.push(r);
    else candidates.push(r);
  }
  return candidates;
}

export async function loadRun(dir: string): Promise<StoredRun> {
  const manifest = (await readRequired(
    () => readJsonUnder(dir, RUN_FILE, RunManifestSchema, MAX_FILE_BYTES.manifest),
    ' (is this a vblk-bench results directory?)',
  )) as RunManifest;
  const profile = await readRequired(() =>
    readJsonUnder(dir, PROFILE_FILE, StoredProfileSchema, MAX_FILE_BYTES.profile),
  );
  const environment = await readEnvironment(dir);
  const plan = await readRequired(() => readJsonUnder(dir, PLAN_FILE, StoredPlanSchema, MAX_FILE_BYTES.plan));
  const adaptive = await readAdaptive(dir);
  const planned = plannedSlotsOf(plan, join(dir, PLAN_FILE), stoppedRounds(adaptive));
  const diagnostics: StoredDiagnostic[] = [];
  const candidates = await readSampleFiles(dir, diagnostics);
  const admitted = admitSamples(
    candidates,
    planned,
    { complete: manifest.status === 'complete', manifestFile: join(dir, RUN_FILE) },
    unsupportedCellKeys(plan),
  );
  const reference = await loadReference(dir, (d) => diagnostics.push(d));
  // Measurement order: the file sequence numbers are the order samples were stored.
  return {
    dir,
    manifest,
    profile,
    environment,
    plan,
    samples: admitted.samples,
    reference,
    diagnostics: [...diagnostics, ...admitted.diagnostics],
    completeness: admitted.completeness,
    adaptive,
  };
}
