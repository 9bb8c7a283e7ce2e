/**
 * The results index: what `list` and `history` need of every run under a
 * results root, kept in the user cache (never inside a results directory, a
 * baseline or a fixture) so a year of nightly runs is not parsed on every
 * call. Per root, under `<cache>/results-index/<sha256 of the root's real
 * path>/`: `catalog.json` (per run: its key and overview) and
 * `digests/<sha256 of the run's name>.json` (per run: a caller-defined
 * digest; history's per-cell values live there).
 *
 * Invalidation (docs/results-store.md): a run's key is the inode, size and
 * mtime of run.json, profile.json, environment.json, plan.json and
 * summary.json and the mtime of samples/ — every writer of vblk-bench
 * replaces files by rename, so a run added, deleted, resumed, merged into or
 * re-imported changes its key and is read again; the key is taken before the
 * run is read, so a change while it is read is seen next time. A run whose
 * directory holds `.lock` is in progress: read every time, never cached. A
 * run is read with the lean reader (its summary.json when fresh, else every
 * sample file — an old directory is read in full once, with progress).
 */
import { mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { InputError } from '../model/errors.js';
import {
  CatalogEntrySchema,
  DigestFileSchema,
  IndexCatalogSchema,
  RESULTS_INDEX_KIND,
  RESULTS_INDEX_SCHEMA_VERSION,
} from '../model/schemas/results-index.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { readRegularFile } from '../util/file-read.js';
import { sha256Of } from '../util/sha256.js';
import {
  ENVIRONMENT_FILE,
  PLAN_FILE,
  PROFILE_FILE,
  RUN_FILE,
  RUN_LOCK_FILE,
  SAMPLES_DIR,
  SUMMARY_FILE,
} from './layout.js';
import { loadRun, type StoredRun } from './run-reader.js';
import { overviewOf, type RunOverview } from './run-overview.js';
import { FileProblem, checkSchema, readNamedJson } from './stored-file.js';
import { parseJsonText } from '../util/file-read.js';

const MiB = 1024 * 1024;
/** Caps of the index files (a catalog entry is ~2 KiB, a 200-cell digest ~100 KiB). */
const MAX_CATALOG_BYTES = 512 * MiB;
const MAX_DIGEST_BYTES = 256 * MiB;
/** Stat calls in flight while runs are keyed. */
const KEY_CONCURRENCY = 32;

/** What the index keeps per run besides its overview: built by the caller (history), stored as JSON. */
export interface DigestKind<D> {
  /** Changes when the digest's content changes: every stored digest of another version is dropped. */
  version: string;
  build(run: StoredRun): D;
  schema: z.ZodType<D>;
}

export interface IndexedRun {
  /** The run's directory (under the root) and its name there. */
  dir: string;
  name: string;
  overview: RunOverview | null;
  /** Why it could not be read (overview null). */
  error?: string;
  /** A `.lock` in its directory: a run, resume or merge is writing it. */
  inProgress: boolean;
}

export interface IndexProgress {
  root: string;
  /** Runs read this time (new, changed, in progress) and how many are done. */
  total: number;
  done: number;
  /** The index directory, or null when nothing is stored. */
  location: string | null;
}

export interface IndexOptions<D> {
  digest: DigestKind<D>;
  /** `<cache>/results-index`; null: read every run, store nothing (`--no-index`). */
  indexRoot: string | null;
  onProgress?: (p: IndexProgress) => void;
  /** An index that cannot be written: said once, the command goes on without storing. */
  onWarning?: (line: string) => void;
}

export interface ResultsIndex<D> {
  /** Newest first (startedAt, then directory name), like the runs a reader finds. */
  runs: IndexedRun[];
  /**
   * The digest of a readable run: stored, or read from its directory again —
   * also when `accept` refuses the stored one (what the schema cannot check,
   * e.g. packed values, checked only for what the caller reads).
   */
  digest(run: IndexedRun, accept?: (digest: D) => boolean): Promise<D>;
  location: string | null;
}

type CatalogEntry = z.output<typeof CatalogEntrySchema>;
type Catalog = z.output<typeof IndexCatalogSchema>;

interface Candidate {
  name: string;
  dir: string;
  key: string;
  inProgress: boolean;
}

const statKey = (s: { ino: number; size: number; mtimeMs: number } | null | undefined) =>
  s ? `${s.ino}:${s.size}:${s.mtimeMs}` : '-';

/** The run's key, or null when the directory holds no run.json (not a run). Taken before the run is read. */
async function runKey(dir: string): Promise<{ key: string; inProgress: boolean } | null> {
  const look = (name: string) => stat(join(dir, name)).catch(() => null);
  const [run, profile, env, plan, summary, samples, lock] = await Promise.all(
    [RUN_FILE, PROFILE_FILE, ENVIRONMENT_FILE, PLAN_FILE, SUMMARY_FILE, SAMPLES_DIR, RUN_LOCK_FILE].map(look),
  );
  if (!run) return null;
  const key = [run, profile, env, plan, summary].map(statKey).join('/') + `/${samples ? samples.mtimeMs : '-'}`;
  return { key, inProgress: lock !== null };
}

/** Every subdirectory of `root` holding a run.json, keyed, in name order. */
async function candidatesIn(root: string): Promise<Candidate[]> {
  const info = await stat(root).catch(() => null);
  if (!info?.isDirectory()) throw new InputError(`${root}: not a directory`);
  const names = (await readdir(root)).sort();
  const out: Candidate[] = [];
  for (let i = 0; i < names.length; i += KEY_CONCURRENCY) {
    const keyed = await Promise.all(
      names.slice(i, i + KEY_CONCURRENCY).map(async (name) => {
        const dir = join(root, name);
        const k = await runKey(dir);
        return k ? { name, dir, ...k } : null;
      }),
    );
    for (const c of keyed) if (c) out.push(c);
  }
  return out;
}

async function readCatalog(file: string, root: string, digestVersion: string): Promise<Catalog | null> {
  try {
    const text = await readRegularFile(file, MAX_CATALOG_BYTES);
    const catalog = checkSchema(IndexCatalogSchema, parseJsonText(text, file), file);
    return catalog.root === root && catalog.digestVersion === digestVersion ? catalog : null;
  } catch (err) {
    if (err instanceof FileProblem) return null;
    throw err;
  }
}

const digestFileName = (name: string) => `${sha256Of(name).slice(0, 32)}.json`;

/** Index directories whose results root is gone (temporary roots of tests, moved results): removed. */
async function pruneVanishedRoots(indexRoot: string, keep: string): Promise<void> {
  for (const name of await readdir(indexRoot).catch(() => [] as string[])) {
    if (join(indexRoot, name) === keep) continue;
    const root = await readRegularFile(join(indexRoot, name, 'root'), 4096).catch(() => null);
    if (root !== null && !(await stat(root).catch(() => null)))
      await rm(join(indexRoot, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/** A run read (lean) into its catalog entry and digest. */
async function indexRun<D>(
  dir: string,
  kind: DigestKind<D>,
): Promise<{ entry: Omit<CatalogEntry, 'key'>; digest?: D }> {
  try {
    const run = await loadRun(dir, { insight: false });
    return { entry: { overview: overviewOf(run) as unknown as CatalogEntry['overview'] }, digest: kind.build(run) };
  } catch (err) {
    // One unreadable run must not stop the listing; anything but bad input is still a bug.
    if (!(err instanceof InputError)) throw err;
    return { entry: { overview: null, error: err.lines.join('; ') } };
  }
}

/** Newest first: startedAt, then directory name. */
function newestFirst(a: IndexedRun, b: IndexedRun): number {
  const started = (r: IndexedRun) => r.overview?.manifest.startedAt ?? '';
  return started(b).localeCompare(started(a)) || b.dir.localeCompare(a.dir);
}

export async function openResultsIndex<D>(root: string, opts: IndexOptions<D>): Promise<ResultsIndex<D>> {
  const candidates = await candidatesIn(root);
  const real = await realpath(root);
  let location = opts.indexRoot ? join(opts.indexRoot, sha256Of(real).slice(0, 32)) : null;
  const catalogFile = location ? join(location, 'catalog.json') : null;
  const old = catalogFile ? await readCatalog(catalogFile, real, opts.digest.version) : null;
  const catalog: Catalog = {
    kind: RESULTS_INDEX_KIND,
    schemaVersion: RESULTS_INDEX_SCHEMA_VERSION,
    root: real,
    digestVersion: opts.digest.version,
    runs: {},
  };
  const fresh = new Map<string, D>();
  const stale = candidates.filter((c) => c.inProgress || old?.runs[c.name]?.key !== c.key);
  // Rewritten when a run was read for it, or the cached names differ (a run gone, or now in progress: not kept).
  const cachedNames = new Set(candidates.filter((c) => !c.inProgress).map((c) => c.name));
  const oldNames = Object.keys(old?.runs ?? {});
  const changed =
    !old ||
    stale.some((c) => !c.inProgress) ||
    oldNames.length !== cachedNames.size ||
    oldNames.some((n) => !cachedNames.has(n));
  const runs: IndexedRun[] = [];
  let done = 0;
  const progress = () => opts.onProgress?.({ root, total: stale.length, done, location });
  if (stale.length > 0) progress();
  for (const c of candidates) {
    let entry: Omit<CatalogEntry, 'key'> | undefined = c.inProgress ? undefined : old?.runs[c.name];
    if (!entry || old?.runs[c.name]?.key !== c.key) {
      const read = await indexRun(c.dir, opts.digest);
      entry = read.entry;
      if (read.digest !== undefined) fresh.set(c.name, read.digest);
      done += 1;
      progress();
    }
    if (!c.inProgress) catalog.runs[c.name] = { key: c.key, ...entry };
    runs.push({
      dir: c.dir,
      name: c.name,
      overview: entry.overview as unknown as RunOverview | null,
      inProgress: c.inProgress,
      ...(entry.error ? { error: entry.error } : {}),
    });
  }
  if (location && changed) {
    try {
      await storeIndex(location, catalog, fresh, old, opts.digest.version, real);
    } catch (err) {
      opts.onWarning?.(
        `results index: cannot write ${location} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); runs are read directly`,
      );
      location = null;
    }
  }
  const keys = new Map(candidates.map((c) => [c.name, c.key]));
  return {
    runs: runs.sort(newestFirst),
    location,
    digest: async (run, accept) => {
      const have = fresh.get(run.name);
      if (have !== undefined) return have;
      const stored =
        location && !run.inProgress
          ? await readDigest(location, run.name, keys.get(run.name) ?? '', opts.digest)
          : null;
      if (stored !== null && (accept?.(stored) ?? true)) return stored;
      const read = await indexRun(run.dir, opts.digest);
      if (read.digest === undefined) throw new InputError(`${run.dir}: ${read.entry.error ?? 'unreadable'}`);
      return read.digest;
    },
  };
}

/** Digest files of new and changed runs, those of runs gone removed, then the catalog (atomically, each). */
async function storeIndex<D>(
  location: string,
  catalog: Catalog,
  fresh: ReadonlyMap<string, D>,
  old: Catalog | null,
  version: string,
  real: string,
): Promise<void> {
  const created = !(await stat(location).catch(() => null));
  await mkdir(join(location, 'digests'), { recursive: true });
  if (created) {
    await writeFileAtomic(join(location, 'root'), real);
    await pruneVanishedRoots(join(location, '..'), location);
  }
  for (const [name, digest] of fresh) {
    const entry = catalog.runs[name];
    if (!entry) continue; // in progress: never stored
    const file = { kind: `${RESULTS_INDEX_KIND}-digest`, key: entry.key, digestVersion: version, digest };
    await writeFileAtomic(join(location, 'digests', digestFileName(name)), JSON.stringify(file));
  }
  for (const name of Object.keys(old?.runs ?? {}))
    if (!catalog.runs[name]) await rm(join(location, 'digests', digestFileName(name)), { force: true });
  await writeFileAtomic(join(location, 'catalog.json'), JSON.stringify(catalog));
}

/** A stored digest of the run as keyed now; null when missing, damaged or of another key or version. */
async function readDigest<D>(location: string, name: string, key: string, kind: DigestKind<D>): Promise<D | null> {
  try {
    const file = await readNamedJson(
      join(location, 'digests', digestFileName(name)),
      DigestFileSchema,
      MAX_DIGEST_BYTES,
    );
    if (file.key !== key || file.digestVersion !== kind.version) return null;
    const parsed = kind.schema.safeParse(file.digest);
    return parsed.success ? parsed.data : null;
  } catch (err) {
    if (err instanceof FileProblem) return null;
    throw err;
  }
}
