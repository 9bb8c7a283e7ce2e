/**
 * Writes one results directory as the run goes: the manifest first (marked
 * incomplete), then every sample the moment it is measured, atomically.
 * Nothing already measured is lost when a later step fails.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RESULTS_SCHEMA_VERSION, type Sample } from '../model/sample.js';
import type { RunManifest } from './manifest.js';
import { writeJsonAtomic } from './atomic.js';
import {
  BOOTS_DIR, ENVIRONMENT_FILE, PLAN_FILE, PROFILE_FILE, RAW_DIR, RUN_FILE, SAMPLES_DIR,
  bootDir, rawFioRelPath, sampleBaseName, samplePath,
} from './layout.js';

export class RunWriter {
  private seq = 0;
  private readonly counts: Record<string, number> = {};

  private constructor(readonly dir: string, private manifest: RunManifest) {}

  static async create(
    dir: string,
    init: Omit<RunManifest, 'schemaVersion' | 'status' | 'finishedAt' | 'stopReason' | 'counts'>,
  ): Promise<RunWriter> {
    for (const sub of [SAMPLES_DIR, RAW_DIR, BOOTS_DIR]) await mkdir(join(dir, sub), { recursive: true });
    const manifest: RunManifest = {
      ...init,
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

  get runManifest(): Readonly<RunManifest> {
    return this.manifest;
  }

  saveManifest(): Promise<void> {
    return writeJsonAtomic(join(this.dir, RUN_FILE), this.manifest);
  }

  writeProfile(profile: unknown): Promise<void> {
    return writeJsonAtomic(join(this.dir, PROFILE_FILE), profile);
  }

  writeEnvironment(environment: unknown): Promise<void> {
    return writeJsonAtomic(join(this.dir, ENVIRONMENT_FILE), environment);
  }

  writePlan(plan: unknown): Promise<void> {
    return writeJsonAtomic(join(this.dir, PLAN_FILE), plan);
  }

  async addWarning(warning: string): Promise<void> {
    if (this.manifest.warnings.includes(warning)) return;
    this.manifest.warnings.push(warning);
    await this.saveManifest();
  }

  /** Directory for one boot's logs (serial console, QEMU stderr, argv). */
  async bootDir(bootId: string): Promise<string> {
    const dir = bootDir(this.dir, bootId);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Stores one sample (and fio's raw JSON beside it) before anything else happens. */
  async writeSample(sample: Omit<Sample, 'schemaVersion' | 'rawFioPath'>, rawFio?: unknown): Promise<Sample> {
    this.seq += 1;
    const base = sampleBaseName(this.seq, sample.cellKey, sample.repetition);
    const record: Sample = { schemaVersion: RESULTS_SCHEMA_VERSION, ...sample };
    if (rawFio !== undefined) {
      record.rawFioPath = rawFioRelPath(base);
      await writeJsonAtomic(join(this.dir, record.rawFioPath), rawFio);
    }
    await writeJsonAtomic(samplePath(this.dir, base), record);
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
