/**
 * The run summary (`summary.json`, schema in src/model/schemas/summary.ts):
 * every sample record of a results directory without its insight, in one
 * file, so commands that need values, statuses and observed facts (compare,
 * gate, the results index) do not parse every sample file. Written
 * atomically when a run, a resume, a merge or an import finishes
 * (RunWriter.finish), rebuilt from the sample files alone — the results
 * directory stays the source of truth: a summary is used only when run.json
 * has the bytes it was built against and samples/ holds exactly the files
 * (name, size, mtime) it lists; otherwise readers ignore it and read the
 * samples.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  RUN_SUMMARY_KIND,
  RUN_SUMMARY_SCHEMA_VERSION,
  RunSummarySchema,
  type RunSummary,
} from '../model/schemas/summary.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { sha256Of } from '../util/sha256.js';
import { RUN_FILE, SUMMARY_FILE } from './layout.js';
import {
  listSampleDir,
  readSampleFiles,
  sampleFileNames,
  samplePathOf,
  withoutInsight,
  type SampleFileRead,
} from './sample-files.js';
import { FileProblem, MAX_FILE_BYTES, checkOwnOutput, readJsonUnder, readTextUnder } from './stored-file.js';

type SourceFile = RunSummary['files'][number];
/** Wider than any kernel clock tick (HZ=100: 10 ms) a file time is taken from. */
const RACY_MARGIN_MS = 50;
type RunSummarySample = RunSummary['samples'][number]['sample'];

/** Size and mtime of each named sample file (not following links); null when one cannot be looked at. */
export async function statSampleFiles(dir: string, names: readonly string[]): Promise<SourceFile[] | null> {
  const out: SourceFile[] = [];
  for (let i = 0; i < names.length; i += 64) {
    const batch = await Promise.all(
      names.slice(i, i + 64).map((name) =>
        lstat(samplePathOf(dir, name)).then(
          (s) => (s.isFile() ? { name, size: s.size, mtimeMs: s.mtimeMs } : null),
          () => null,
        ),
      ),
    );
    for (const f of batch) if (f) out.push(f);
    if (batch.some((f) => f === null)) return null;
  }
  return out;
}

/** A summary from run.json's text, the sample files' sizes and mtimes, and what reading each gave. Pure. */
export function assembleRunSummary(
  manifestText: string,
  files: readonly SourceFile[],
  reads: readonly SampleFileRead[],
): RunSummary {
  const samples: RunSummary['samples'] = [];
  const skipped: RunSummary['skipped'] = [];
  for (const r of reads) {
    if ('sample' in r) samples.push({ name: r.name, sample: withoutInsight(r.sample) as RunSummarySample });
    else skipped.push({ name: r.name, problem: r.problem });
  }
  return {
    kind: RUN_SUMMARY_KIND,
    schemaVersion: RUN_SUMMARY_SCHEMA_VERSION,
    manifestSha256: sha256Of(manifestText),
    files: [...files],
    samples,
    skipped,
  };
}

/** The summary of `dir` as its files are now (read in full: the files are stat'ed before they are read). */
export async function buildRunSummary(dir: string): Promise<RunSummary> {
  const manifestText = await readTextUnder(dir, RUN_FILE, MAX_FILE_BYTES.manifest);
  const names = sampleFileNames(await listSampleDir(dir));
  const files = await statSampleFiles(dir, names);
  if (!files) throw new FileProblem(join(dir, 'samples'), 'changed while it was summarised');
  return assembleRunSummary(manifestText, files, await readSampleFiles(dir, names));
}

/** Writes `dir`'s summary.json (atomically) from its files. */
export async function writeRunSummary(dir: string): Promise<void> {
  const summary = await buildRunSummary(dir);
  checkOwnOutput(RunSummarySchema, summary, SUMMARY_FILE);
  await writeFileAtomic(join(dir, SUMMARY_FILE), JSON.stringify(summary) + '\n');
}

function sameFiles(a: readonly SourceFile[], b: readonly SourceFile[]): boolean {
  return (
    a.length === b.length &&
    a.every((f, i) => f.name === b[i]!.name && f.size === b[i]!.size && f.mtimeMs === b[i]!.mtimeMs)
  );
}

/**
 * `dir`'s summary when it still describes the directory: built against
 * run.json's present bytes (`manifestText`) and exactly the sample files
 * `names` lists, each with the size and mtime it had. Else null (missing,
 * damaged, or stale: the caller reads the samples).
 */
export async function readFreshSummary(
  dir: string,
  manifestText: string,
  names: readonly string[],
): Promise<RunSummary | null> {
  let summary: RunSummary;
  try {
    summary = await readJsonUnder(dir, SUMMARY_FILE, RunSummarySchema, MAX_FILE_BYTES.summary);
  } catch (err) {
    if (err instanceof FileProblem) return null;
    throw err;
  }
  if (summary.manifestSha256 !== sha256Of(manifestText)) return null;
  const recorded = [...summary.samples.map((s) => s.name), ...summary.skipped.map((s) => s.name)].sort();
  const listed = summary.files.map((f) => f.name);
  if (recorded.join('\0') !== listed.join('\0') || listed.join('\0') !== names.join('\0')) return null;
  const now = await statSampleFiles(dir, names);
  if (!now || !sameFiles(summary.files, now)) return null;
  return (await racilyClean(dir, summary)) ? summary : null;
}

/**
 * File times have the resolution of the kernel's clock tick: a sample
 * rewritten in place (same size) in the tick the summary was written in
 * keeps its recorded mtime. Files that new are read and compared with the
 * summary (git's "racily clean" entries) — usually none, or the last sample.
 */
async function racilyClean(dir: string, summary: RunSummary): Promise<boolean> {
  const written = await lstat(join(dir, SUMMARY_FILE)).catch(() => null);
  if (!written) return false;
  const racy = summary.files.filter((f) => f.mtimeMs >= written.mtimeMs - RACY_MARGIN_MS).map((f) => f.name);
  if (racy.length === 0) return true;
  const recorded = new Map<string, string>();
  for (const s of summary.samples) recorded.set(s.name, JSON.stringify(s.sample));
  for (const s of summary.skipped) recorded.set(s.name, JSON.stringify(s.problem));
  for (const r of await readSampleFiles(dir, racy)) {
    const now = 'sample' in r ? JSON.stringify(withoutInsight(r.sample)) : JSON.stringify(r.problem);
    if (recorded.get(r.name) !== now) return false;
  }
  return true;
}
