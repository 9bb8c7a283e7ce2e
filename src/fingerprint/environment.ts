/**
 * The fingerprint of a result set, split in two for comparisons:
 *
 * - the **subject under test**: what the comparison is about, declared by the
 *   user as paths (`--subject qemu.binary`, `--subject guest.kernel`,
 *   `--subject matrix.backend`). Differences there are the point and are shown.
 * - the **measurement environment**: everything else that can move a number —
 *   host kernel, CPU model and microcode, mitigations, governor/turbo, accel,
 *   halt_poll_ns, hugepages/NUMA, QEMU, guest kernel + image hash, the Debian
 *   packages the built-in guest was built from (`guest.packages.*`) and its
 *   recipe hash, the guest's fio, the tool, and the profile minus the subject.
 *   A difference there means the comparison cannot tell the subject's effect
 *   from the environment's, so it is refused unless the user allows it
 *   (`--allow-env-mismatch`).
 *
 * Fields that may differ between two runs (model/may-differ.ts, the policy
 * `run --resume` shares: host name, Node.js version, profile name,
 * repetitions, visit order and seed, boot timeout and retries) are
 * informational only: shown, never refused. So is a fact recorded on one side
 * only (by another tool version): it cannot be compared.
 * Pure: built from a stored run's environment.json, profile.json and samples.
 */
import type { Sample } from '../model/sample.js';
import { InputError } from '../model/errors.js';
import { mayDiffer, pathCovers } from '../model/may-differ.js';
import { GUEST_FIO_KEY } from '../model/observed-keys.js';

export type FieldClass = 'environment' | 'info';

/** Path → value (text), e.g. `host.hostKernel` → `6.1.0-18-amd64`, `profile.fio.bs` → `4k`. */
export type Fingerprint = Record<string, string>;

/**
 * Facts that follow from a declared subject: naming a QEMU binary as the
 * subject also accepts that its version differs; a guest kernel, its image.
 */
const IMPLIED: Record<string, string[]> = {
  'qemu.binary': ['qemu.version', 'qemu.banner'],
  'guest.kernel': ['guest.imageHash', 'guest.runningKernel', 'guest.packages.kernel', 'guest.initramfsModules'],
};

/** The fingerprint field of the tool version (environment.json's `tool`). */
export const TOOL_VERSION_PATH = 'tool.version';

/**
 * Fingerprint fields the guest reports while it runs, read from the samples'
 * `observed` facts (fingerprint path → observed key) instead of environment.json.
 */
export const OBSERVED_FIELDS: Readonly<Record<string, string>> = {
  'guest.runningKernel': 'guestKernel',
  'guest.fio': GUEST_FIO_KEY,
};

/**
 * Profile fields added with a default that keeps the earlier behaviour's
 * name: a profile that states the default fingerprints like one that does not
 * name the field (runs recorded before it existed, or not stating it).
 * `insight.sampling` does enter the fingerprint otherwise: sampling inside fio's
 * window puts guest processes, SSH and QMP into the measured phase, so it can
 * move the very numbers compared (docs/profiles.md).
 */
const PROFILE_DEFAULTS_AS_ABSENT: Readonly<Record<string, string>> = {
  'profile.insight.sampling': 'outside-window',
};

/** Duplicates of profile fields in environment.json (the profile's copy is the one compared). */
const SKIPPED_ENV_PATHS = new Set(['qemu.binary', 'tool']);

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Object leaves as dotted paths; arrays are leaves (compared whole). */
function flatten(value: unknown, prefix: string, out: Fingerprint): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    if (prefix) out[prefix] = text(value);
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
}

/** A matrix axis as written: `1, 4` or `virtio-blk{"queue_size":128}`; other shapes as JSON. */
function axisText(entries: unknown): string {
  if (!Array.isArray(entries)) return text(entries);
  return entries
    .map((e: unknown) => {
      const entry = e as { requested?: unknown; options?: Record<string, unknown> } | null;
      if (!entry || typeof entry !== 'object' || entry.requested === undefined) return text(e);
      const options = entry.options && Object.keys(entry.options).length > 0 ? JSON.stringify(entry.options) : '';
      return `${String(entry.requested)}${options}`;
    })
    .join(', ');
}

/** Distinct values of one `observed` key over the samples, as text. */
function observedOfSamples(samples: readonly Pick<Sample, 'observed'>[], key: string): string[] {
  return samples
    .map((s) => s.observed[key])
    .filter((v) => v !== undefined)
    .map(String);
}

/** Distinct values, sorted, comma-joined; null when none. */
function joinedDistinct(values: readonly string[]): string | null {
  const distinct = [...new Set(values)].sort();
  return distinct.length > 0 ? distinct.join(', ') : null;
}

/**
 * What a fingerprint is made of. The observed facts come from the samples,
 * or — for a source that keeps them aggregated, such as a published run —
 * from `observed`: per `observed` key, its values over the run's samples as
 * text (`String(value)`; duplicates allowed), which fingerprints the same.
 */
export interface FingerprintInput {
  environment: Record<string, unknown>;
  profile: unknown;
  samples?: readonly Pick<Sample, 'observed'>[];
  observed?: Readonly<Record<string, readonly string[]>>;
  /** The guest's fio version when the samples do not carry it (older runs: read from raw fio JSON). */
  guestFio?: string | null;
}

export function fingerprintOf(input: FingerprintInput): Fingerprint {
  const fp: Fingerprint = {};
  const env: Fingerprint = {};
  flatten(input.environment, '', env);
  for (const [path, value] of Object.entries(env)) if (!SKIPPED_ENV_PATHS.has(path)) fp[path] = value;
  const tool = input.environment.tool;
  if (tool !== undefined) fp[TOOL_VERSION_PATH] = text(tool);

  const { matrix, ...rest } = (input.profile ?? {}) as Record<string, unknown>;
  flatten(rest, 'profile', fp);
  for (const [path, value] of Object.entries(PROFILE_DEFAULTS_AS_ABSENT)) if (fp[path] === value) delete fp[path];
  for (const [axis, entries] of Object.entries((matrix ?? {}) as Record<string, unknown>)) {
    if (entries !== undefined) fp[`profile.matrix.${axis}`] = axisText(entries);
  }

  for (const [path, key] of Object.entries(OBSERVED_FIELDS)) {
    // Runs older than `observed.guestFio` carry the guest's fio version in their raw fio JSON (input.guestFio).
    const values = input.observed ? (input.observed[key] ?? []) : observedOfSamples(input.samples ?? [], key);
    const value = joinedDistinct(values) ?? (key === GUEST_FIO_KEY ? (input.guestFio ?? null) : null);
    if (value) fp[path] = value;
  }
  return fp;
}

export function fieldClass(path: string): FieldClass {
  return mayDiffer(path, 'comparison') ? 'info' : 'environment';
}

/** Whether a declared subject covers a field: `qemu.binary` covers `profile.qemu.binary`, `qemu` covers `qemu.version`. */
export function subjectCovers(subject: string, path: string): boolean {
  const bare = subject.startsWith('profile.') ? subject.slice('profile.'.length) : subject;
  const targets = [bare, ...(IMPLIED[bare] ?? [])];
  return targets.some((t) => pathCovers(t, path) || pathCovers(`profile.${t}`, path));
}

export interface FieldDiff {
  path: string;
  a: string | null;
  b: string | null;
  /** subject: declared, shown; environment: refuses the comparison; info: shown only. */
  kind: 'subject' | 'environment' | 'info';
}

export interface FingerprintComparison {
  subject: FieldDiff[];
  environment: FieldDiff[];
  info: FieldDiff[];
}

/** Every declared subject must name at least one field of either side (a typo must not silently allow nothing). */
export function checkSubjects(subjects: readonly string[], fingerprints: readonly Fingerprint[]): void {
  const paths = [...new Set(fingerprints.flatMap((f) => Object.keys(f)))].sort();
  const unknown = subjects.filter((s) => !paths.some((p) => subjectCovers(s, p)));
  if (unknown.length > 0) {
    const tops = [
      ...new Set(
        paths.map((p) =>
          p
            .split('.')
            .slice(0, p.startsWith('profile.') ? 2 : 1)
            .join('.'),
        ),
      ),
    ];
    throw new InputError(
      unknown.map((s) => `--subject ${s}: matches no field of the runs (top-level fields: ${tops.join(', ')})`),
    );
  }
}

export function compareFingerprints(
  a: Fingerprint,
  b: Fingerprint,
  subjects: readonly string[],
): FingerprintComparison {
  const out: FingerprintComparison = { subject: [], environment: [], info: [] };
  const paths = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const path of paths) {
    const va = a[path] ?? null;
    const vb = b[path] ?? null;
    if (va === vb) continue;
    // A fact recorded on one side only (written by another tool version) cannot be compared: shown, not refused.
    // A profile field absent on one side is its default there, so it is compared like any other.
    const unrecorded = (va === null || vb === null) && !path.startsWith('profile.');
    const kind = subjects.some((s) => subjectCovers(s, path)) ? 'subject' : unrecorded ? 'info' : fieldClass(path);
    out[kind].push({ path, a: va, b: vb, kind });
  }
  return out;
}

/** `qemu.version: 7.2.22 → 8.2.0` (a side without the field shows `(absent)`). */
export function describeDiff(d: FieldDiff): string {
  const show = (v: string | null) => (v === null ? '(absent)' : v.length > 120 ? `${v.slice(0, 117)}...` : v);
  return `${d.path}: ${show(d.a)} → ${show(d.b)}`;
}
