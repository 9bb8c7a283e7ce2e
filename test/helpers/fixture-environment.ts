/**
 * Recorded runs (test/fixtures/runs) meet this machine. A fixture was
 * measured on another host, another day: its host kernel, CPU, microcode,
 * mitigations, QEMU build, guest kernel and image differ from what a run here
 * records, and a gate between the two rightly refuses to judge. Tests that put
 * a recorded run beside a fresh one align a copy of it first.
 *
 * Which fields: every fingerprint field (src/fingerprint/environment.ts) that
 * `fieldClass` calls 'environment', found by fingerprinting the recorded copy
 * and this machine's environment — never a hand-written list — except the
 * profile's fields (`profile.*`), which are the test's own input and stay as
 * recorded. Informational fields (host name, Node.js version, host fio) stay
 * as recorded too: they must not matter.
 *
 * This machine's environment is collected the way `run` collects it
 * (src/run/environment.ts, the guest source's record, the accel decision);
 * what the guest reports while it runs (running kernel, fio version) comes
 * from the built-in guest's manifest.
 *
 * `scrambleRunEnvironment` is the proof's other half: it sets every such field
 * of a copy to an obviously wrong value, so that a test passing on a
 * scrambled-then-aligned copy shows that alignment covers every field.
 * Test-only: the CLI has no switch or variable for any of this.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './cli.js';
import { loadProfile } from '../../src/profile/load.js';
import { decideAccel, probeKvm } from '../../src/vm/accel.js';
import { qemuVersionOf } from '../../src/host/environment.js';
import { resolveGuestSource } from '../../src/guest-image/source.js';
import { cachedGuestImageByHash } from '../../src/guest-image/export.js';
import { collectRunEnvironment } from '../../src/run/environment.js';
import { loadResultSet } from '../../src/fingerprint/result-set.js';
import {
  fieldClass,
  fingerprintOf,
  OBSERVED_FIELDS,
  TOOL_VERSION_PATH,
  type Fingerprint,
} from '../../src/fingerprint/environment.js';
import type { Sample } from '../../src/model/sample.js';
import { GUEST_FIO_KEY } from '../../src/model/observed-keys.js';
import { defaultGuestCacheRoot } from '../../src/util/cache-root.js';
import { TOOL_VERSION } from '../../src/util/version.js';

type Json = Record<string, unknown>;

export interface MachineEnvironment {
  /** environment.json as `run` would write it here now. */
  environment: Json;
  /** What the guest will report in every sample's `observed` (observed key → value). */
  observed: Record<string, string>;
  /** The fingerprint of the two above (no profile fields). */
  fingerprint: Fingerprint;
}

/** The fingerprint fields that describe the machine: environment class, outside the profile. */
export function machineFields(...fingerprints: Fingerprint[]): string[] {
  const paths = new Set(fingerprints.flatMap((f) => Object.keys(f)));
  return [...paths].filter((p) => !p.startsWith('profile.') && fieldClass(p) === 'environment').sort();
}

/** This machine's environment for a run of `profilePath` (builds the built-in guest if it is not cached). */
export async function machineEnvironment(profilePath: string): Promise<MachineEnvironment> {
  const profile = await loadProfile(profilePath);
  const accel = decideAccel(profile.qemu.accel, await probeKvm()).accel;
  const guest = await resolveGuestSource(profile, { repoRoot: REPO_ROOT });
  if (guest.kind !== 'builtin')
    throw new Error(`${profilePath}: only the built-in guest's running facts are known before it boots`);
  const binary = profile.qemu.binary;
  // `run` reads the version of the binary as the profile names it, relative to the repository root where the tests run it.
  const qemu = await qemuVersionOf(binary.includes('/') ? resolve(REPO_ROOT, binary) : binary);
  const environment = await collectRunEnvironment({
    accel,
    qemuBinary: binary,
    qemu,
    guest: guest.record,
    tool: TOOL_VERSION,
  });
  const image = await cachedGuestImageByHash(defaultGuestCacheRoot(), String(guest.record.imageHash));
  const observed: Record<string, string> = {
    guestKernel: String(guest.record.kernel),
    [GUEST_FIO_KEY]: image.manifest.fio.version,
  };
  return { environment, observed, fingerprint: machineFingerprint(environment, observed) };
}

/** The fingerprint of an environment.json and the guest's observed facts (no profile fields). */
export function machineFingerprint(environment: Json, observed: Record<string, string>): Fingerprint {
  const probe = { observed } as unknown as Sample;
  return fingerprintOf({ environment, profile: {}, samples: [probe] });
}

// ---------------------------------------------------------------- where a fingerprint field is stored

function valueAt(obj: unknown, segments: readonly string[]): unknown {
  let at: unknown = obj;
  for (const s of segments) {
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return undefined;
    at = (at as Json)[s];
  }
  return at;
}

function setAt(obj: Json, segments: readonly string[], value: unknown): void {
  let at = obj;
  for (const s of segments.slice(0, -1)) {
    if (at[s] === null || typeof at[s] !== 'object' || Array.isArray(at[s])) at[s] = {};
    at = at[s] as Json;
  }
  const last = segments[segments.length - 1]!;
  if (value === undefined) delete at[last];
  else at[last] = value;
}

interface RunFiles {
  dir: string;
  environment: Json;
  samples: Array<{ path: string; sample: Json }>;
}

async function readRunFiles(dir: string): Promise<RunFiles> {
  const environment = JSON.parse(await readFile(join(dir, 'environment.json'), 'utf8')) as Json;
  const names = (await readdir(join(dir, 'samples'))).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  const samples = await Promise.all(
    names.map(async (n) => ({
      path: join(dir, 'samples', n),
      sample: JSON.parse(await readFile(join(dir, 'samples', n), 'utf8')) as Json,
    })),
  );
  return { dir, environment, samples };
}

async function writeRunFiles(run: RunFiles): Promise<void> {
  await writeFile(join(run.dir, 'environment.json'), `${JSON.stringify(run.environment, null, 2)}\n`);
  for (const { path, sample } of run.samples) await writeFile(path, `${JSON.stringify(sample, null, 2)}\n`);
}

/**
 * Sets one fingerprint field of a run to `value` (undefined: removes it),
 * where the fingerprint reads it from: environment.json, its `tool`, or the
 * samples' observed facts (every measured sample: older runs kept the guest's
 * fio version only in raw fio JSON, which the fingerprint reads only when no
 * sample carries it).
 */
function setField(run: RunFiles, path: string, value: unknown): void {
  if (path === TOOL_VERSION_PATH) {
    setAt(run.environment, ['tool'], value);
    return;
  }
  const key = OBSERVED_FIELDS[path];
  if (key === undefined) {
    setAt(run.environment, path.split('.'), value);
    return;
  }
  for (const { sample } of run.samples) {
    const observed = (sample.observed ?? {}) as Json;
    if (sample.status !== 'ok' && observed[key] === undefined) continue;
    setAt(observed, [key], value);
    sample.observed = observed;
  }
}

/** The value of a field as stored (typed, for environment.json), from an environment and observed facts. */
function storedValue(path: string, environment: Json, observed: Record<string, string>): unknown {
  if (path === TOOL_VERSION_PATH) return environment.tool;
  const key = OBSERVED_FIELDS[path];
  if (key !== undefined) {
    if (observed[key] === undefined)
      throw new Error(`machineEnvironment knows no current value of observed.${key} (fingerprint field ${path})`);
    return observed[key];
  }
  return valueAt(environment, path.split('.'));
}

// ---------------------------------------------------------------- align, scramble

/** Rewrites the copy of a recorded run at `dir` to this machine's environment; returns the fields aligned. Verifies itself. */
export async function alignRunEnvironment(dir: string, machine: MachineEnvironment): Promise<string[]> {
  const before = await loadResultSet(dir);
  const fields = machineFields(before.fingerprint, machine.fingerprint);
  const run = await readRunFiles(dir);
  for (const path of fields) setField(run, path, storedValue(path, machine.environment, machine.observed));
  await writeRunFiles(run);

  const after = (await loadResultSet(dir)).fingerprint;
  const left = fields
    .filter((p) => after[p] !== machine.fingerprint[p])
    .map((p) => `${p}: ${after[p] ?? '(absent)'} ≠ ${machine.fingerprint[p] ?? '(absent)'}`);
  if (left.length > 0)
    throw new Error(`${dir}: alignment left fields different from this machine:\n${left.join('\n')}`);
  return fields;
}

/** An obviously wrong value of the same JSON type (deterministic: equal inputs scramble equally). */
function wrong(value: unknown): unknown {
  if (typeof value === 'number') return value + 1000003;
  if (typeof value === 'boolean') return !value;
  if (Array.isArray(value)) return ['scrambled', ...value];
  return `scrambled(${value === null ? 'null' : String(value)})`;
}

/** Sets every machine field of the copy at `dir` to a wrong value; returns the fields scrambled. Verifies itself. */
export async function scrambleRunEnvironment(dir: string): Promise<string[]> {
  const before = (await loadResultSet(dir)).fingerprint;
  const fields = machineFields(before);
  const run = await readRunFiles(dir);
  const observedNow = Object.fromEntries(
    Object.entries(OBSERVED_FIELDS)
      .filter(([p]) => before[p] !== undefined)
      .map(([p, key]) => [key, before[p]!]),
  );
  for (const path of fields) setField(run, path, wrong(storedValue(path, run.environment, observedNow)));
  await writeRunFiles(run);

  const after = (await loadResultSet(dir)).fingerprint;
  const same = fields.filter((p) => after[p] === before[p]);
  if (same.length > 0) throw new Error(`${dir}: scrambling left fields as they were: ${same.join(', ')}`);
  return fields;
}
