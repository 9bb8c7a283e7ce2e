/**
 * A result set: what `compare` and `gate` read on each side — a results
 * directory, or a baseline file frozen from one by `baseline save` (manifest,
 * environment, profile, plan and every sample in one JSON file).
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CellValues, Sample } from '../model/sample.js';
import { InputError } from '../model/errors.js';
import { BASELINE_KIND, BASELINE_SCHEMA_VERSION, BaselineFileSchema } from '../model/schemas/baseline.js';
import { SampleSchema } from '../model/schemas/sample.js';
import { FioVersionSchema } from '../model/schemas/fio.js';
import type { StoredPlan } from '../model/schemas/plan.js';
import { loadRun, plannedSlotsOf, type StoredRun } from '../store/run-reader.js';
import type { RunManifest } from '../store/manifest.js';
import {
  MAX_FILE_BYTES,
  FileProblem,
  checkOwnOutput,
  checkSchema,
  fieldPath,
  readJsonUnder,
  readNamedJson,
} from '../store/stored-file.js';
import { admitSamples, type SampleCandidate } from '../store/admit-samples.js';
import type { Completeness } from '../store/completeness.js';
import type { StoredDiagnostic } from '../model/diagnostic.js';
import { isWhole } from '../store/wholeness.js';
import type { IncompleteSet } from '../compare/inconclusive.js';
import { cellKeyOf } from '../model/cell-key.js';
import { fingerprintOf, type Fingerprint } from './environment.js';
import { GUEST_FIO_KEY } from '../model/observed-keys.js';
import { unsupportedCellKeys } from '../store/completeness.js';

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
  /** What the reader skipped or found missing (empty for a sound set). */
  diagnostics: StoredDiagnostic[];
  /** Planned samples and those without a valid record. */
  completeness: Completeness;
}

/**
 * The guest's fio version from the first raw fio JSON that has one (runs
 * older than `observed.guestFio`). Raw files are read through the results
 * directory's reader: regular files inside it only.
 */
export async function guestFioFromRaw(dir: string, samples: readonly Sample[]): Promise<string | null> {
  if (samples.some((s) => s.observed[GUEST_FIO_KEY] !== undefined)) return null;
  for (const s of samples) {
    if (s.status !== 'ok' || !s.rawFioPath) continue;
    try {
      return (await readJsonUnder(dir, s.rawFioPath, FioVersionSchema, MAX_FILE_BYTES.rawFio))['fio version'];
    } catch (err) {
      if (!(err instanceof FileProblem)) throw err;
      // unusable raw file: try the next sample
    }
  }
  return null;
}

/**
 * A results directory as a baseline file (everything `gate` needs, in one
 * file), with the run it was read from (its diagnostics say what was
 * skipped). The file is checked against the schema its reader uses.
 */
export async function freezeRun(dir: string): Promise<{ file: BaselineFile; run: StoredRun }> {
  const run = await loadRun(dir);
  const file: BaselineFile = {
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
  checkOwnOutput(BaselineFileSchema, file, 'a baseline file');
  return { file, run };
}

/** A baseline file, validated; its samples one by one (a damaged one is skipped and counts as missing). */
async function loadBaselineFile(
  path: string,
): Promise<Omit<ResultSet, 'fingerprint' | 'path' | 'kind' | 'label'> & { file: BaselineFile }> {
  let file: BaselineFile;
  try {
    file = (await readNamedJson(path, BaselineFileSchema, MAX_FILE_BYTES.baseline)) as BaselineFile;
  } catch (err) {
    if (err instanceof FileProblem)
      throw new InputError(
        `${err.message}${err.problem.startsWith('not valid JSON') ? ' (neither a results directory nor a baseline file)' : ''}`,
      );
    throw err;
  }
  const diagnostics: StoredDiagnostic[] = [];
  const candidates: SampleCandidate[] = [];
  (file.samples as unknown[]).forEach((raw, i) => {
    const where = `${path}: ${fieldPath(['samples', i])}`;
    try {
      candidates.push({ file: where, sample: checkSchema(SampleSchema, raw, where) as Sample });
    } catch (err) {
      if (!(err instanceof FileProblem)) throw err;
      diagnostics.push({ kind: 'StoredFileSkipped', what: 'sample', file: where, problem: err.problem });
    }
  });
  const planned = plannedSlotsOf(file.plan as StoredPlan, `${path}: plan`);
  const admitted = admitSamples(
    candidates,
    planned,
    { complete: file.manifest.status === 'complete', manifestFile: `${path}: manifest` },
    unsupportedCellKeys(file.plan as StoredPlan),
  );
  return {
    file,
    manifest: file.manifest,
    environment: file.environment,
    profile: file.profile,
    plan: file.plan,
    samples: admitted.samples,
    diagnostics: [...diagnostics, ...admitted.diagnostics],
    completeness: admitted.completeness,
  };
}

/** What a run's result set is made of, wherever the run was read from (a directory, the database). */
export type RunParts = Pick<
  ResultSet,
  'manifest' | 'environment' | 'profile' | 'plan' | 'samples' | 'diagnostics' | 'completeness'
>;

/** The result set of one run: its parts and the fingerprint they give. */
export function runResultSet(
  label: string,
  path: string,
  run: RunParts,
  guestFio: Parameters<typeof fingerprintOf>[0]['guestFio'],
): ResultSet {
  const { manifest, environment, profile, plan, samples, diagnostics, completeness } = run;
  return {
    label,
    path,
    kind: 'run',
    manifest,
    environment,
    profile,
    plan,
    samples,
    fingerprint: fingerprintOf({ environment, profile, samples, guestFio }),
    diagnostics,
    completeness,
  };
}

/** A results directory or a baseline file, by what `path` is. */
export async function loadResultSet(path: string): Promise<ResultSet> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new InputError(`${path}: no such results directory or baseline file`);
  if (info.isDirectory()) {
    // compare and gate never look at insight: the run summary (when fresh) spares parsing every sample file.
    const run = await loadRun(path, { insight: false });
    const guestFio = await guestFioFromRaw(run.dir, run.samples);
    return runResultSet(
      basename(run.dir),
      path,
      {
        ...run,
        diagnostics: run.diagnostics ?? [],
        completeness: run.completeness ?? { planned: run.samples.length, missing: [], shortCells: [] },
      },
      guestFio,
    );
  }
  const b = await loadBaselineFile(path);
  return {
    label: b.file.label,
    path,
    kind: 'baseline',
    manifest: b.manifest,
    environment: b.environment,
    profile: b.profile,
    plan: b.plan,
    samples: b.samples,
    fingerprint: fingerprintOf({
      environment: b.environment,
      profile: b.profile,
      samples: b.samples,
      guestFio: b.file.facts.guestFio,
    }),
    diagnostics: b.diagnostics,
    completeness: b.completeness,
  };
}

/** Values one axis takes in a set of samples. */
function axisValues(samples: readonly Sample[], axis: string): Set<string> {
  return new Set(
    samples
      .map((s) => s.cell[axis])
      .filter((v) => v !== undefined)
      .map(String),
  );
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

/**
 * Why a result set is not whole — interrupted, planned samples without a
 * valid record (whatever run.json claims), stored files skipped — or none.
 */
export function incompleteness(set: ResultSet, role: string): IncompleteSet[] {
  if (isWhole(set)) return [];
  const { status, stopReason } = set.manifest;
  const { planned, missing, shortCells } = set.completeness;
  const skippedFiles = set.diagnostics.filter((d) => d.kind !== 'MissingSamples').length;
  return [
    {
      role,
      label: set.label,
      path: set.path,
      kind: set.kind,
      status,
      stopReason,
      samples: planned - missing.length,
      planned,
      ...(shortCells.length ? { shortCells } : {}),
      ...(skippedFiles ? { skippedFiles } : {}),
    },
  ];
}
