/**
 * Writes one results directory as the run goes: the manifest first (marked
 * incomplete), then every sample the moment it is measured, atomically.
 * Nothing already measured is lost when a later step fails: a sample that
 * cannot be written (full disk) comes back inside the error, so the caller
 * can keep it elsewhere. `resume` reopens a directory to add missing samples.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RESULTS_SCHEMA_VERSION, type Sample } from '../model/sample.js';
import type { ResumeRecord, RunManifest } from './manifest.js';
import type { StoredRun } from './run-reader.js';
import { runIdOf } from './run-id.js';
import type { RunWarning } from '../model/diagnostic.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { randomUuid } from '../util/uuid.js';
import { checkOwnOutput } from './stored-file.js';
import { impossibleMetrics } from '../model/metric-limits.js';
import { SampleSchema } from '../model/schemas/sample.js';
import { RunManifestSchema } from '../model/schemas/manifest.js';
import { StoredEnvironmentSchema, StoredProfileSchema } from '../model/schemas/environment.js';
import { StoredPlanSchema } from '../model/schemas/plan.js';
import { AdaptiveRecordSchema, type AdaptiveRecord } from '../model/schemas/adaptive.js';
import {
  ADAPTIVE_FILE,
  BOOTS_DIR,
  ENVIRONMENT_FILE,
  PLAN_FILE,
  PROFILE_FILE,
  RAW_DIR,
  RUN_FILE,
  SAMPLES_DIR,
  bootDir,
  rawFioRelPath,
  sampleBaseName,
  samplePath,
} from './layout.js';

/** A measured sample as it would have been stored. */
export interface UnsavedSample {
  /** File base name (`0007-<cell>-r0`) it would have had. */
  base: string;
  record: Sample;
  rawFio?: unknown;
}

/** Storing a sample failed (e.g. ENOSPC); the sample itself is in `unsaved`. */
export class SampleWriteError extends Error {
  constructor(
    readonly failure: unknown,
    readonly unsaved: UnsavedSample,
  ) {
    super(`cannot store sample ${unsaved.base}: ${(failure as Error)?.message ?? String(failure)}`);
    this.name = 'SampleWriteError';
  }
}

/** A value as JSON stores it (undefined fields dropped), which is what the reader will see. */
const asStored = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null));

/**
 * A measurement with a value no device can produce (negative, not finite,
 * above its unit's ceiling: model/metric-limits.ts) is stored `invalid`
 * with the reason, without those values (fio's raw JSON keeps them).
 */
function withoutImpossibleMetrics(sample: Sample): Sample {
  const bad = impossibleMetrics(sample.metrics);
  if (bad.length === 0) return sample;
  const metrics = Object.fromEntries(
    Object.entries(sample.metrics).filter(([name]) => !bad.some((b) => b.name === name)),
  );
  const why = bad.map((b) => `${b.name}: ${b.why}`).join('; ');
  return {
    ...sample,
    metrics,
    ...(sample.status === 'ok'
      ? { status: 'invalid', reason: `impossible metric values: ${why}`, failureKind: 'ImpossibleValue' }
      : {}),
  };
}

/** Highest sequence number among stored sample files (`0007-….json` → 7). */
async function lastSampleSeq(dir: string): Promise<number> {
  const names = await readdir(join(dir, SAMPLES_DIR)).catch(() => [] as string[]);
  return names.reduce((max, n) => Math.max(max, Number(/^(\d+)-/.exec(n)?.[1] ?? 0)), 0);
}

export class RunWriter {
  private seq = 0;
  private readonly counts: Record<string, number> = {};

  private constructor(
    readonly dir: string,
    private manifest: RunManifest,
  ) {}

  static async create(
    dir: string,
    init: Omit<RunManifest, 'schemaVersion' | 'status' | 'finishedAt' | 'stopReason' | 'counts'>,
  ): Promise<RunWriter> {
    for (const sub of [SAMPLES_DIR, RAW_DIR, BOOTS_DIR]) await mkdir(join(dir, sub), { recursive: true });
    const manifest: RunManifest = {
      ...init,
      runId: init.runId ?? randomUuid(),
      schemaVersion: RESULTS_SCHEMA_VERSION,
      status: 'incomplete',
      finishedAt: null,
      stopReason: null,
      counts: {},
    };
    const writer = new RunWriter(dir, manifest);
    await writer.saveManifest();
    return writer;
  }

  /**
   * Reopens a stored run to add its missing samples; numbering continues after the last stored sample.
   * The run keeps its id (a run stored before ids existed gets its derived one), so a published copy is replaced.
   */
  static async resume(stored: StoredRun, resume: ResumeRecord): Promise<RunWriter> {
    const manifest: RunManifest = {
      ...stored.manifest,
      runId: runIdOf(stored),
      status: 'incomplete',
      finishedAt: null,
      stopReason: null,
      resumes: [...(stored.manifest.resumes ?? []), resume],
    };
    const writer = new RunWriter(stored.dir, manifest);
    writer.seq = await lastSampleSeq(stored.dir);
    for (const s of stored.samples) writer.counts[s.status] = (writer.counts[s.status] ?? 0) + 1;
    await writer.saveManifest();
    return writer;
  }

  get runManifest(): Readonly<RunManifest> {
    return this.manifest;
  }

  // Every writer checks its record against the schema the reader uses (src/model/schemas/): what is stored can be read back.
  async saveManifest(): Promise<void> {
    checkOwnOutput(RunManifestSchema, this.manifest, RUN_FILE);
    await writeJsonAtomic(join(this.dir, RUN_FILE), this.manifest);
  }

  async writeProfile(profile: unknown): Promise<void> {
    checkOwnOutput(StoredProfileSchema, asStored(profile), PROFILE_FILE);
    await writeJsonAtomic(join(this.dir, PROFILE_FILE), profile);
  }

  async writeEnvironment(environment: unknown): Promise<void> {
    checkOwnOutput(StoredEnvironmentSchema, asStored(environment), ENVIRONMENT_FILE);
    await writeJsonAtomic(join(this.dir, ENVIRONMENT_FILE), environment);
  }

  async writePlan(plan: unknown): Promise<void> {
    checkOwnOutput(StoredPlanSchema, asStored(plan), PLAN_FILE);
    await writeJsonAtomic(join(this.dir, PLAN_FILE), plan);
  }

  /** adaptive.json: what `repetitions: auto` decided and where its rounds stopped (rewritten by a resume). */
  async writeAdaptive(record: AdaptiveRecord): Promise<void> {
    checkOwnOutput(AdaptiveRecordSchema, asStored(record), ADAPTIVE_FILE);
    await writeJsonAtomic(join(this.dir, ADAPTIVE_FILE), record);
  }

  async addWarning(warning: RunWarning): Promise<void> {
    if (this.manifest.warnings.some((w) => JSON.stringify(w) === JSON.stringify(warning))) return;
    this.manifest.warnings.push(warning);
    await this.saveManifest();
  }

  /** Directory for one boot's logs (serial console, QEMU stderr, argv). */
  async bootDir(bootId: string): Promise<string> {
    const dir = bootDir(this.dir, bootId);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /**
   * Stores one sample (and fio's raw JSON beside it) before anything else
   * happens. Throws SampleWriteError (holding the sample) when it cannot.
   */
  async writeSample(sample: Omit<Sample, 'schemaVersion' | 'rawFioPath'>, rawFio?: unknown): Promise<Sample> {
    this.seq += 1;
    const base = sampleBaseName(this.seq, sample.cellKey, sample.repetition);
    const record = withoutImpossibleMetrics({ schemaVersion: RESULTS_SCHEMA_VERSION, ...sample });
    if (rawFio !== undefined) record.rawFioPath = rawFioRelPath(base);
    checkOwnOutput(SampleSchema, asStored(record), `sample ${base}`);
    try {
      if (record.rawFioPath) await writeJsonAtomic(join(this.dir, record.rawFioPath), rawFio);
      await writeJsonAtomic(samplePath(this.dir, base), record);
    } catch (err) {
      throw new SampleWriteError(err, { base, record, rawFio });
    }
    this.counts[record.status] = (this.counts[record.status] ?? 0) + 1;
    return record;
  }

  /** Closes the run: `complete` only when every planned sample has a record. */
  async finish(opts: { complete: boolean; stopReason?: string }): Promise<void> {
    this.manifest = {
      ...this.manifest,
      status: opts.complete ? 'complete' : 'incomplete',
      finishedAt: new Date().toISOString(),
      stopReason: opts.stopReason ?? null,
      counts: { ...this.counts },
    };
    await this.saveManifest();
  }
}
