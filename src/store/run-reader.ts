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
import { RunManifestSchema } from '../model/schemas/manifest.js';
import { StoredEnvironmentSchema, StoredProfileSchema } from '../model/schemas/environment.js';
import { StoredPlanSchema, type StoredPlan } from '../model/schemas/plan.js';
import type { RunManifest } from './manifest.js';
import { loadReference, type ReferenceRecord } from './reference-store.js';
import { ADAPTIVE_FILE, ENVIRONMENT_FILE, PLAN_FILE, PROFILE_FILE, RUN_FILE, SAMPLES_DIR } from './layout.js';
import { MAX_FILE_BYTES, FileProblem, checkSchema, readJsonUnder, readTextUnder } from './stored-file.js';
import { parseJsonText } from '../util/file-read.js';
import {
  listSampleDir,
  readSampleFiles,
  sampleFileNames,
  samplePathOf,
  withoutInsight,
  type SampleFileRead,
} from './sample-files.js';
import { readFreshSummary } from './run-summary.js';
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

/** What reading the sample files yields: the records that pass the schema, in file order; the others as diagnostics. */
function candidatesOf(
  dir: string,
  reads: readonly SampleFileRead[],
  diagnostics: StoredDiagnostic[],
): SampleCandidate[] {
  const candidates: SampleCandidate[] = [];
  for (const r of reads) {
    const file = samplePathOf(dir, r.name);
    if ('sample' in r) candidates.push({ file, sample: r.sample });
    else diagnostics.push({ kind: 'StoredFileSkipped', what: 'sample', file, problem: r.problem });
  }
  return candidates;
}

/**
 * Every sample file that passes the sample schema, in file order; the others
 * as diagnostics. Without insight (`lean`), from a fresh summary.json when
 * there is one (run-summary.ts), else from the files with insight dropped —
 * the same records either way.
 */
async function readSamples(
  dir: string,
  manifestText: string,
  lean: boolean,
  diagnostics: StoredDiagnostic[],
): Promise<SampleCandidate[]> {
  const listing = await readRequired(() => listSampleDir(dir));
  for (const s of listing.skipped)
    diagnostics.push({
      kind: 'StoredFileSkipped',
      what: 'sample',
      file: join(dir, SAMPLES_DIR, s.name),
      problem: s.problem,
    });
  const names = sampleFileNames(listing);
  const summary = lean ? await readFreshSummary(dir, manifestText, names) : null;
  if (summary) {
    const byName = new Map<string, SampleFileRead>();
    for (const s of summary.samples) byName.set(s.name, { name: s.name, sample: s.sample as Sample });
    for (const s of summary.skipped) byName.set(s.name, s);
    return candidatesOf(
      dir,
      names.map((n) => byName.get(n)!),
      diagnostics,
    );
  }
  const reads = await readSampleFiles(dir, names);
  const kept = lean
    ? reads.map((r) => ('sample' in r ? { name: r.name, sample: withoutInsight(r.sample) } : r))
    : reads;
  return candidatesOf(dir, kept, diagnostics);
}

export interface LoadRunOptions {
  /**
   * false: samples without `insight`, read from the run summary when it is
   * fresh (compare, gate, list, history: they never look at insight). Default true.
   */
  insight?: boolean;
}

/** run.json, validated, with its text (a run summary is tied to these bytes). */
export async function readManifest(dir: string): Promise<{ manifest: RunManifest; text: string }> {
  const display = join(dir, RUN_FILE);
  return readRequired(async () => {
    const text = await readTextUnder(dir, RUN_FILE, MAX_FILE_BYTES.manifest);
    return { text, manifest: checkSchema(RunManifestSchema, parseJsonText(text, display), display) as RunManifest };
  }, ' (is this a vblk-bench results directory?)');
}

export async function loadRun(dir: string, opts: LoadRunOptions = {}): Promise<StoredRun> {
  const { manifest, text: manifestText } = await readManifest(dir);
  const profile = await readRequired(() =>
    readJsonUnder(dir, PROFILE_FILE, StoredProfileSchema, MAX_FILE_BYTES.profile),
  );
  const environment = await readEnvironment(dir);
  const plan = await readRequired(() => readJsonUnder(dir, PLAN_FILE, StoredPlanSchema, MAX_FILE_BYTES.plan));
  const adaptive = await readAdaptive(dir);
  const planned = plannedSlotsOf(plan, join(dir, PLAN_FILE), stoppedRounds(adaptive));
  const diagnostics: StoredDiagnostic[] = [];
  const candidates = await readSamples(dir, manifestText, opts.insight === false, diagnostics);
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
