/**
 * Reads a results directory back. Every later command (report, compare, gate)
 * starts here, so a damaged file is named with its problem instead of crashing.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../model/errors.js';
import { RESULTS_SCHEMA_VERSION, type Sample } from '../model/sample.js';
import type { RunManifest } from './manifest.js';
import { loadReference, type ReferenceRecord } from './reference-store.js';
import { ENVIRONMENT_FILE, PLAN_FILE, PROFILE_FILE, RUN_FILE, SAMPLES_DIR } from './layout.js';

export interface StoredRun {
  dir: string;
  manifest: RunManifest;
  profile: unknown;
  environment: Record<string, unknown>;
  plan: unknown;
  /** In the order they were measured. */
  samples: Sample[];
  /** Host-native reference records (`reference: host`), empty when the run has none. */
  reference?: ReferenceRecord[];
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: ${code === 'ENOENT' ? 'missing (is this a vblk-bench results directory?)' : String(code)}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path}: not valid JSON (${(err as Error).message})`);
  }
}

function checkSchemaVersion(path: string, value: unknown): void {
  const v = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (v !== RESULTS_SCHEMA_VERSION) {
    throw new InputError(`${path}: schemaVersion ${JSON.stringify(v)} is not ${RESULTS_SCHEMA_VERSION} (written by another vblk-bench version)`);
  }
}

export async function loadRun(dir: string): Promise<StoredRun> {
  const manifestPath = join(dir, RUN_FILE);
  const manifest = (await readJson(manifestPath)) as RunManifest;
  checkSchemaVersion(manifestPath, manifest);
  const [profile, environment, plan] = await Promise.all([
    readJson(join(dir, PROFILE_FILE)),
    readJson(join(dir, ENVIRONMENT_FILE)).catch(() => ({})),
    readJson(join(dir, PLAN_FILE)),
  ]);
  const names = (await readdir(join(dir, SAMPLES_DIR)).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .sort();
  const samples: Sample[] = [];
  for (const name of names) {
    const path = join(dir, SAMPLES_DIR, name);
    const sample = (await readJson(path)) as Sample;
    checkSchemaVersion(path, sample);
    if (typeof sample.cellKey !== 'string' || typeof sample.metrics !== 'object') {
      throw new InputError(`${path}: not a sample record (no cellKey/metrics)`);
    }
    samples.push(sample);
  }
  return { dir, manifest, profile, environment: environment as Record<string, unknown>, plan, samples, reference: await loadReference(dir) };
}
