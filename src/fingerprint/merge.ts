/**
 * `vblk-bench merge <dirs...> -o <dir>` (cli/commands/merge.ts): one results directory from the shards
 * of one matrix (`run --shard i/n` on several runners), for `report` and
 * `gate`. Refuses runs of different profiles or environments, and runs that
 * measured the same cell × repetition twice.
 */
import { access } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { loadRun, type StoredRun } from '../store/run-reader.js';
import { RunWriter } from '../store/run-writer.js';
import { runIdOf } from '../store/run-id.js';
import { bootIdsOf, copyBootDir, rawFioOf } from '../store/merge-sources.js';
import type { StoredDiagnostic } from '../model/diagnostic.js';
import { InputError } from '../model/errors.js';
import { compareFingerprints, describeDiff, fingerprintOf } from './environment.js';
import { TOOL_VERSION } from '../util/version.js';

/** Reasons the runs cannot be merged (empty when they can). Pure. */
export function mergeProblems(
  runs: readonly Pick<StoredRun, 'dir' | 'manifest' | 'profile' | 'environment' | 'samples' | 'adaptive'>[],
): string[] {
  const problems: string[] = [];
  const first = runs[0];
  if (!first) return ['nothing to merge'];
  // Its planned samples and decisions belong to its own stopping rule (docs/profiles.md, "Adaptive repetitions").
  for (const r of runs)
    if (r.adaptive || (r.profile as { repetitions?: unknown }).repetitions === 'auto')
      problems.push(
        `${r.dir}: a repetitions: auto run; its rounds stopped on its own decisions, which a merge would not hold (compare it as it is)`,
      );
  const seen = new Map<string, string>();
  const fingerprint = (r: (typeof runs)[number]) =>
    fingerprintOf({ environment: r.environment, profile: r.profile, samples: r.samples });
  const base = fingerprint(first);
  for (const r of runs) {
    if (r !== first) {
      if (r.manifest.profileName !== first.manifest.profileName)
        problems.push(
          `${r.dir}: profile ${r.manifest.profileName}, but ${first.dir} has ${first.manifest.profileName}`,
        );
      // Profile settings, accel, host, QEMU, guest: the same comparison the gate makes, with no subject.
      for (const d of compareFingerprints(base, fingerprint(r), []).environment)
        problems.push(`${r.dir}: differs from ${first.dir}: ${describeDiff(d)}`);
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
  return access(path).then(
    () => true,
    () => false,
  );
}

export interface MergeResult {
  dir: string;
  complete: boolean;
  samples: number;
  /** What was skipped while reading the sources and copying them. */
  diagnostics: StoredDiagnostic[];
}

export async function mergeRuns(dirs: readonly string[], outDir: string): Promise<MergeResult> {
  const runs: StoredRun[] = [];
  for (const d of dirs) runs.push(await loadRun(d));
  const problems = mergeProblems(runs);
  if (problems.length) throw new InputError(problems.map((p) => `merge: ${p}`));
  if (await exists(join(outDir, 'run.json')))
    throw new InputError(`${outDir}: already a results directory (choose a new -o)`);
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
    // The shards keep their own ids; the database counts the merged run instead of them (docs/sharing-results.md).
    mergedFrom: runs.map((r) => ({ runId: runIdOf(r), dir: basename(r.dir) })),
  });
  await writer.writeProfile(first.profile);
  await writer.writeEnvironment(first.environment);
  await writer.writePlan({ merged: true, sources: runs.map((r) => ({ dir: basename(r.dir), plan: r.plan })) });
  const diagnostics: StoredDiagnostic[] = runs.flatMap((r) => r.diagnostics ?? []);
  let merged = 0;
  // Boot ids restart in every shard: prefix them with the shard's position so they stay unique.
  for (const [i, r] of runs.entries()) {
    const prefix = `m${i + 1}-`;
    for (const b of await bootIdsOf(r, diagnostics))
      await copyBootDir(r, b, await writer.bootDir(prefix + b), diagnostics);
    for (const s of [...r.samples].sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
      const { schemaVersion: _v, rawFioPath: _p, ...draft } = s;
      const raw = await rawFioOf(r, s, diagnostics);
      if (raw === null) continue;
      await writer.writeSample({ ...draft, bootId: prefix + s.bootId }, raw);
      merged++;
    }
  }
  // Complete only when every source is and every one of their samples made it (a sample whose raw file is unusable does not).
  const incomplete = runs.filter((r) => r.manifest.status !== 'complete' || (r.completeness?.missing.length ?? 0) > 0);
  const complete = incomplete.length === 0 && merged === runs.reduce((n, r) => n + r.samples.length, 0);
  const why = incomplete.map((r) => basename(r.dir)).join(', ') || 'samples whose raw fio JSON is unusable left out';
  await writer.finish({ complete, stopReason: complete ? undefined : `merged from incomplete run(s): ${why}` });
  return { dir: outDir, complete, samples: merged, diagnostics };
}
