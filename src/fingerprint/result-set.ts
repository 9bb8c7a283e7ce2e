/**
 * A result set: what `compare` and `gate` read on each side — a results
 * directory, or a baseline file frozen from one by `baseline save` (manifest,
 * environment, profile, plan and every sample in one JSON file).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CellValues, Sample } from '../model/sample.js';
import { InputError } from '../model/errors.js';
import { loadRun } from '../store/run-reader.js';
import type { RunManifest } from '../store/manifest.js';
import { cellKeyOf } from '../model/cell-key.js';
import { fingerprintOf, type Fingerprint } from './environment.js';
import { GUEST_FIO_KEY } from '../model/observed-keys.js';

const BASELINE_KIND = 'vblk-bench-baseline';
const BASELINE_SCHEMA_VERSION = 1;

export interface BaselineFile {
  kind: typeof BASELINE_KIND;
  schemaVersion: number;
  savedAt: string;
  /** The results directory it was frozen from. */
  source: string;
  label: string;
  manifest: RunManifest;
  environment: Record<string, unknown>;
  profile: unknown;
  plan: unknown;
  /** Facts read from files a baseline does not keep (the guest's fio version from raw fio JSON). */
  facts: { guestFio: string | null };
  samples: Sample[];
}

export interface ResultSet {
  /** Short name for tables: the results directory's name or the baseline's label. */
  label: string;
  path: string;
  kind: 'run' | 'baseline';
  manifest: RunManifest;
  environment: Record<string, unknown>;
  profile: unknown;
  plan: unknown;
  samples: Sample[];
  fingerprint: Fingerprint;
}

/** The guest's fio version from the first raw fio JSON that has one (runs older than `observed.guestFio`). */
async function guestFioFromRaw(dir: string, samples: readonly Sample[]): Promise<string | null> {
  if (samples.some((s) => s.observed[GUEST_FIO_KEY] !== undefined)) return null;
  for (const s of samples) {
    if (s.status !== 'ok' || !s.rawFioPath) continue;
    try {
      const raw = JSON.parse(await readFile(join(dir, s.rawFioPath), 'utf8')) as Record<string, unknown>;
      if (typeof raw['fio version'] === 'string') return raw['fio version'];
    } catch {
      /* unreadable raw file: try the next sample */
    }
  }
  return null;
}

/** A results directory as a baseline file (everything `gate` needs, in one file). */
export async function freezeRun(dir: string): Promise<BaselineFile> {
  const run = await loadRun(dir);
  return {
    kind: BASELINE_KIND,
    schemaVersion: BASELINE_SCHEMA_VERSION,
    savedAt: new Date().toISOString(),
    source: run.dir,
    label: basename(run.dir),
    manifest: run.manifest,
    environment: run.environment,
    profile: run.profile,
    plan: run.plan,
    facts: { guestFio: await guestFioFromRaw(run.dir, run.samples) },
    samples: run.samples,
  };
}

function checkBaselineFile(path: string, value: unknown): BaselineFile {
  const b = value as Partial<BaselineFile> | null;
  if (b?.kind !== BASELINE_KIND) throw new InputError(`${path}: not a vblk-bench baseline file (no "kind": "${BASELINE_KIND}")`);
  if (b.schemaVersion !== BASELINE_SCHEMA_VERSION) {
    throw new InputError(`${path}: baseline schemaVersion ${JSON.stringify(b.schemaVersion)} is not ${BASELINE_SCHEMA_VERSION}`);
  }
  if (!Array.isArray(b.samples) || typeof b.manifest !== 'object') throw new InputError(`${path}: baseline file without samples or manifest`);
  return b as BaselineFile;
}

/** A results directory or a baseline file, by what `path` is. */
export async function loadResultSet(path: string): Promise<ResultSet> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new InputError(`${path}: no such results directory or baseline file`);
  if (info.isDirectory()) {
    const run = await loadRun(path);
    const guestFio = await guestFioFromRaw(run.dir, run.samples);
    return {
      label: basename(run.dir),
      path,
      kind: 'run',
      manifest: run.manifest,
      environment: run.environment,
      profile: run.profile,
      plan: run.plan,
      samples: run.samples,
      fingerprint: fingerprintOf({ environment: run.environment, profile: run.profile, samples: run.samples, guestFio }),
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InputError(`${path}: not a results directory and not a JSON baseline file (${(err as Error).message})`);
  }
  const b = checkBaselineFile(path, parsed);
  return {
    label: b.label,
    path,
    kind: 'baseline',
    manifest: b.manifest,
    environment: b.environment,
    profile: b.profile,
    plan: b.plan,
    samples: b.samples,
    fingerprint: fingerprintOf({ environment: b.environment, profile: b.profile, samples: b.samples, guestFio: b.facts?.guestFio }),
  };
}

/** Values one axis takes in a set of samples. */
function axisValues(samples: readonly Sample[], axis: string): Set<string> {
  return new Set(samples.map((s) => s.cell[axis]).filter((v) => v !== undefined).map(String));
}

/**
 * When a declared subject is a matrix axis (`matrix.backend`) and each side
 * holds a single, different value of it, cells are paired without that axis
 * (A's backend=x with B's backend=y). Returns the samples with rewritten keys
 * and the axes that were folded away.
 */
export function alignSubjectAxes(
  a: readonly Sample[],
  b: readonly Sample[],
  subjects: readonly string[],
): { a: Sample[]; b: Sample[]; folded: string[] } {
  const folded = subjects
    .map((s) => /^(?:profile\.)?matrix\.([A-Za-z0-9_]+)$/.exec(s)?.[1])
    .filter((axis): axis is string => axis !== undefined)
    .filter((axis) => {
      const va = axisValues(a, axis);
      const vb = axisValues(b, axis);
      return va.size === 1 && vb.size === 1 && [...va][0] !== [...vb][0];
    });
  if (folded.length === 0) return { a: [...a], b: [...b], folded };
  const fold = (samples: readonly Sample[]) =>
    samples.map((s) => {
      const cell: CellValues = Object.fromEntries(Object.entries(s.cell).filter(([axis]) => !folded.includes(axis)));
      return { ...s, cell, cellKey: cellKeyOf(cell) };
    });
  return { a: fold(a), b: fold(b), folded };
}
