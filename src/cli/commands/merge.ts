/**
 * `vblk-bench merge <dirs...> -o <dir>`: one results directory from the shards
 * of one matrix (`run --shard i/n` on several runners), for `report` and
 * `gate`. Refuses runs of different profiles or environments, and runs that
 * measured the same cell × repetition twice.
 */
import type { Command } from 'commander';
import { access, lstat, readdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { loadRun, type StoredRun } from '../../store/run-reader.js';
import { RunWriter } from '../../store/run-writer.js';
import { BOOTS_DIR } from '../../store/layout.js';
import { FileProblem, MAX_FILE_BYTES, checkSchema, listFilesUnder, readTextUnder } from '../../store/stored-file.js';
import type { StoreDiagnostic } from '../../store/store-diagnostic.js';
import { parseJsonText } from '../../util/file-read.js';
import { BootRecordSchema } from '../../model/schemas/boot.js';
import type { Sample } from '../../model/sample.js';
import { ExitCode } from '../../model/exit-codes.js';
import { InputError } from '../../model/errors.js';
import { compareFingerprints, describeDiff, fingerprintOf } from '../../fingerprint/environment.js';
import { reportError } from '../errors.js';
import { warnStoreDiagnostics } from '../run-status.js';

const BOOT_RECORD_FILE = 'boot.json';
/** Boot directory names as the run writes them: `b001-g1-r0`, `b003-g2-r1-a2-s2`, `m1-b001-…` after a merge. */
const BOOT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
import { TOOL_VERSION } from '../version.js';

/** Reasons the runs cannot be merged (empty when they can). Pure. */
export function mergeProblems(runs: readonly Pick<StoredRun, 'dir' | 'manifest' | 'profile' | 'environment' | 'samples'>[]): string[] {
  const problems: string[] = [];
  const first = runs[0];
  if (!first) return ['nothing to merge'];
  const seen = new Map<string, string>();
  const fingerprint = (r: (typeof runs)[number]) => fingerprintOf({ environment: r.environment, profile: r.profile, samples: r.samples });
  const base = fingerprint(first);
  for (const r of runs) {
    if (r !== first) {
      if (r.manifest.profileName !== first.manifest.profileName) problems.push(`${r.dir}: profile ${r.manifest.profileName}, but ${first.dir} has ${first.manifest.profileName}`);
      // Profile settings, accel, host, QEMU, guest: the same comparison the gate makes, with no subject.
      for (const d of compareFingerprints(base, fingerprint(r), []).environment) problems.push(`${r.dir}: differs from ${first.dir}: ${describeDiff(d)}`);
    }
    const here = new Set<string>();
    for (const s of r.samples) {
      const key = `${s.cellKey} r${s.repetition}`;
      const other = seen.get(key);
      if (other !== undefined && !here.has(key)) problems.push(`${key} is in both ${other} and ${r.dir}`);
      seen.set(key, r.dir);
      here.add(key);
    }
  }
  return [...new Set(problems)];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

/**
 * Copies one boot's directory: regular files only (a symbolic link would
 * copy a file from outside the results directory into the merged one), and
 * boot.json only when it is a boot record.
 */
async function copyBoot(run: StoredRun, bootId: string, target: string, diagnostics: StoreDiagnostic[]): Promise<void> {
  const rel = `${BOOTS_DIR}/${bootId}`;
  const listing = await listFilesUnder(run.dir, rel);
  for (const s of listing.skipped) diagnostics.push({ kind: 'skipped-file', what: 'boot file', file: join(run.dir, rel, s.name), problem: s.problem });
  for (const name of listing.files) {
    try {
      const text = await readTextUnder(run.dir, `${rel}/${name}`, name === BOOT_RECORD_FILE ? MAX_FILE_BYTES.boot : MAX_FILE_BYTES.bootLog);
      if (name === BOOT_RECORD_FILE) checkSchema(BootRecordSchema, parseJsonText(text, join(run.dir, rel, name)), join(run.dir, rel, name));
      await writeFile(join(target, name), text, { flag: 'wx' });
    } catch (err) {
      if (!(err instanceof FileProblem)) throw err;
      diagnostics.push({ kind: 'skipped-file', what: name === BOOT_RECORD_FILE ? 'boot record' : 'boot file', file: err.file, problem: err.problem });
    }
  }
}

/** Every boot directory of a run (real directories only). */
async function bootIds(run: StoredRun, diagnostics: StoreDiagnostic[]): Promise<string[]> {
  const info = await lstat(join(run.dir, BOOTS_DIR)).catch(() => null);
  if (!info) return [];
  if (!info.isDirectory()) {
    diagnostics.push({ kind: 'skipped-file', what: 'boot file', file: join(run.dir, BOOTS_DIR), problem: info.isSymbolicLink() ? 'a symbolic link (not followed)' : 'not a directory' });
    return [];
  }
  const ids: string[] = [];
  for (const e of await readdir(join(run.dir, BOOTS_DIR), { withFileTypes: true })) {
    if (e.isDirectory() && BOOT_ID.test(e.name)) ids.push(e.name);
    else diagnostics.push({ kind: 'skipped-file', what: 'boot file', file: join(run.dir, BOOTS_DIR, e.name), problem: e.isSymbolicLink() ? 'a symbolic link (not followed)' : 'not a boot directory' });
  }
  return ids.sort();
}

/** fio's raw JSON of a sample, read inside its results directory; null (with a diagnostic) when it cannot be used. */
async function rawFioOf(run: StoredRun, sample: Sample, diagnostics: StoreDiagnostic[]): Promise<unknown> {
  if (!sample.rawFioPath) return undefined;
  try {
    return parseJsonText(await readTextUnder(run.dir, sample.rawFioPath, MAX_FILE_BYTES.rawFio), join(run.dir, sample.rawFioPath));
  } catch (err) {
    if (!(err instanceof FileProblem)) throw err;
    diagnostics.push({ kind: 'skipped-file', what: 'raw fio JSON', file: err.file, problem: `${err.problem}; its sample is left out of the merge (it counts as missing)` });
    return null;
  }
}

export interface MergeResult {
  dir: string;
  complete: boolean;
  samples: number;
  /** What was skipped while reading the sources and copying them. */
  diagnostics: StoreDiagnostic[];
}

export async function mergeRuns(dirs: readonly string[], outDir: string): Promise<MergeResult> {
  const runs: StoredRun[] = [];
  for (const d of dirs) runs.push(await loadRun(d));
  const problems = mergeProblems(runs);
  if (problems.length) throw new InputError(problems.map((p) => `merge: ${p}`));
  if (await exists(join(outDir, 'run.json'))) throw new InputError(`${outDir}: already a results directory (choose a new -o)`);
  const first = runs[0]!;
  const byStart = [...runs].sort((a, b) => a.manifest.startedAt.localeCompare(b.manifest.startedAt));
  const writer = await RunWriter.create(outDir, {
    tool: { name: 'vblk-bench', version: TOOL_VERSION },
    profileName: first.manifest.profileName,
    profilePath: first.manifest.profilePath,
    startedAt: byStart[0]!.manifest.startedAt,
    accel: first.manifest.accel,
    warnings: [...new Set(runs.flatMap((r) => r.manifest.warnings))],
    plannedSamples: runs.reduce((s, r) => s + (r.completeness?.planned ?? r.manifest.plannedSamples), 0),
  });
  await writer.writeProfile(first.profile);
  await writer.writeEnvironment(first.environment);
  await writer.writePlan({ merged: true, sources: runs.map((r) => ({ dir: basename(r.dir), plan: r.plan })) });
  const diagnostics: StoreDiagnostic[] = runs.flatMap((r) => r.diagnostics ?? []);
  let merged = 0;
  // Boot ids restart in every shard: prefix them with the shard's position so they stay unique.
  for (const [i, r] of runs.entries()) {
    const prefix = `m${i + 1}-`;
    for (const b of await bootIds(r, diagnostics)) await copyBoot(r, b, await writer.bootDir(prefix + b), diagnostics);
    for (const s of [...r.samples].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
      const { schemaVersion: _v, rawFioPath: _p, ...draft } = s;
      const raw = await rawFioOf(r, s, diagnostics);
      if (raw === null) continue;
      await writer.writeSample({ ...draft, bootId: prefix + s.bootId }, raw);
      merged++;
    }
  }
  const incomplete = runs.filter((r) => r.manifest.status !== 'complete' || (r.completeness?.missing.length ?? 0) > 0);
  const complete = incomplete.length === 0 && merged === runs.reduce((n, r) => n + r.samples.length, 0);
  await writer.finish({
    complete,
    stopReason: complete ? undefined : `merged from incomplete run(s): ${incomplete.map((r) => basename(r.dir)).join(', ') || 'samples whose raw fio JSON is unreadable left out'}`,
  });
  return { dir: outDir, complete, samples: merged, diagnostics };
}

export function registerMergeCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description('merge results directories of one profile and environment (e.g. the shards of `run --shard i/n`) into one')
    .argument('<dirs...>', 'results directories')
    .requiredOption('-o, --out <dir>', 'the merged results directory (must not exist yet)')
    .action(async (dirs: string[], options: { out: string }) => {
      try {
        const merged = await mergeRuns(dirs, resolve(options.out));
        warnStoreDiagnostics(merged.dir, merged.diagnostics);
        process.stdout.write(`merged ${dirs.length} run(s), ${merged.samples} sample(s): ${merged.dir}\n`);
        setExit(merged.complete && merged.diagnostics.length === 0 ? ExitCode.Success : ExitCode.Partial);
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
