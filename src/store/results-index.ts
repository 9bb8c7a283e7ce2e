/**
 * The results index: what `list` and `history` need of every run under a
 * results root, kept in the user cache (never inside a results directory, a
 * baseline or a fixture) so a year of nightly runs is not parsed on every
 * call. Per root, under `<cache>/results-index/<sha256 of the root's real
 * path>/`: `catalog.json` (per run: its key and overview) and
 * `history/<sha256 of a profile>/` (per run of that profile: a
 * caller-defined digest — history's per-cell points — stored in parts,
 * index-digests.ts).
 *
 * Invalidation (docs/results-store.md): a run's key is the inode, size and
 * mtime of run.json, profile.json, environment.json, plan.json and
 * summary.json and the mtime of samples/ — every writer of vblk-bench
 * replaces files by rename, so a run added, deleted, resumed, merged into or
 * re-imported changes its key and is read again; the key is taken before the
 * run is read, so a change while it is read is seen next time. A run whose
 * directory holds `.lock` is in progress: read every time, never cached. A
 * run is read with the lean reader (its summary.json when fresh, else every
 * sample file — an old directory is read in full once, with progress); only
 * its overview and digest parts are kept while the others are read.
 */
import { mkdir, readdir, realpath, rm } from 'node:fs/promises';
import { statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { InputError } from '../model/errors.js';
import {
  CatalogEntrySchema,
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
import { loadRun } from './run-reader.js';
import { overviewOf, type RunOverview } from './run-overview.js';
import { FileProblem, checkSchema } from './stored-file.js';
import { parseJsonText } from '../util/file-read.js';
import {
  addDigest,
  digestFrom,
  emptyProfileDigests,
  loadMetric,
  profileDirName,
  readProfileDigests,
  writeProfileDigests,
  type DigestKind,
  type ProfileDigests,
} from './index-digests.js';

export type { DigestKind } from './index-digests.js';

const MiB = 1024 * 1024;
/** Cap of the catalog (an entry is ~2 KiB). */
const MAX_CATALOG_BYTES = 512 * MiB;

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
   * The digests of readable runs with `metric` (and no other metric), in the
   * order given: stored, or read from their directories again — also when
   * `accept` refuses the stored one (what the schema cannot check, e.g.
   * packed values, checked only for what the caller reads).
   */
  digests(runs: readonly IndexedRun[], metric: string, accept?: (digest: D) => boolean): Promise<D[]>;
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

const statKey = (s: { ino: number; size: number; mtimeMs: number } | undefined) =>
  s ? `${s.ino}:${s.size}:${s.mtimeMs}` : '-';

/**
 * stat, or undefined when nothing is there — also when a part of the path is
 * a file (ENOTDIR: a map.yaml beside the runs, a root given as file/x).
 */
function statIfThere(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * The run's key, or null when the directory holds no run.json (not a run). Taken before the run is
 * read. Synchronous: seven stat calls per run, thousands per call, cost far less than their promises.
 */
function runKey(dir: string): { key: string; inProgress: boolean } | null {
  const look = (name: string) => statIfThere(join(dir, name));
  const [run, profile, env, plan, summary, samples, lock] = [
    RUN_FILE,
    PROFILE_FILE,
    ENVIRONMENT_FILE,
    PLAN_FILE,
    SUMMARY_FILE,
    SAMPLES_DIR,
    RUN_LOCK_FILE,
  ].map(look);
  if (!run) return null;
  const key = [run, profile, env, plan, summary].map(statKey).join('/') + `/${samples ? samples.mtimeMs : '-'}`;
  return { key, inProgress: lock !== undefined };
}

/** Every subdirectory of `root` holding a run.json, keyed, in name order. */
async function candidatesIn(root: string): Promise<Candidate[]> {
  const info = statIfThere(root);
  if (!info?.isDirectory()) throw new InputError(`${root}: not a directory`);
  const out: Candidate[] = [];
  for (const name of (await readdir(root)).sort()) {
    const dir = join(root, name);
    const k = runKey(dir);
    if (k) out.push({ name, dir, ...k });
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

/** Index directories whose results root is gone (temporary roots of tests, moved results): removed. */
async function pruneVanishedRoots(indexRoot: string, keep: string): Promise<void> {
  for (const name of await readdir(indexRoot).catch(() => [] as string[])) {
    if (join(indexRoot, name) === keep) continue;
    const root = await readRegularFile(join(indexRoot, name, 'root'), 4096).catch(() => null);
    if (root !== null && !statIfThere(root))
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

/** localeCompare's order (the default locale), from one collator instead of one per comparison. */
const collate = new Intl.Collator().compare;

/** Newest first: startedAt, then directory name. */
function newestFirst(a: IndexedRun, b: IndexedRun): number {
  const started = (r: IndexedRun) => r.overview?.manifest.startedAt ?? '';
  return collate(started(b), started(a)) || collate(b.dir, a.dir);
}

const profileOf = (entry: { overview?: { manifest: { profileName: string } } | null } | undefined) =>
  entry?.overview?.manifest.profileName;

/**
 * The digest stores of one index, per profile: read from disk when first
 * needed (with every metric when they are to be rewritten), or built in
 * memory (`--no-index`, runs in progress, runs read this time).
 */
class DigestStores<D> {
  private readonly stores = new Map<string, ProfileDigests>();
  private readonly whole = new Set<string>();
  /** Digests of runs in progress: never stored. */
  readonly live = new Map<string, D>();
  /** Profiles whose files are to be rewritten. */
  readonly touched = new Set<string>();

  constructor(
    private readonly kind: DigestKind<D>,
    private location: string | null,
  ) {}

  dir(profile: string): string | null {
    return this.location ? join(this.location, 'history', profileDirName(profile)) : null;
  }

  stopStoring(): void {
    this.location = null;
  }

  async of(profile: string, whole = false): Promise<ProfileDigests> {
    let store = this.stores.get(profile);
    const dir = this.dir(profile);
    if (!store) {
      store = dir ? await readProfileDigests(dir, profile, this.kind.version) : emptyProfileDigests();
      this.stores.set(profile, store);
    }
    if (whole && dir && !this.whole.has(profile)) {
      // Before anything is added: every stored metric of the runs kept, so the rewrite keeps them.
      for (const m of new Set([...store.runs.values()].flatMap((r) => r.metrics)))
        await loadMetric(store, dir, m, this.kind.version);
      this.whole.add(profile);
    }
    return store;
  }

  /** A run read this time: kept (split) for storing, or live when in progress. */
  async add(profile: string, name: string, key: string, digest: D, inProgress: boolean): Promise<void> {
    if (inProgress) {
      this.live.set(name, digest);
      return;
    }
    addDigest(await this.of(profile, true), this.kind, name, key, digest);
    this.touched.add(profile);
  }

  /** The touched profiles' files rewritten with the runs in `keep` (per profile), gone profiles' removed. */
  async write(keep: ReadonlyMap<string, Set<string>>): Promise<void> {
    if (!this.location) return;
    for (const profile of this.touched) {
      const store = await this.of(profile, true);
      await writeProfileDigests(this.dir(profile)!, profile, this.kind.version, store, keep.get(profile) ?? new Set());
    }
    this.touched.clear();
    const wanted = new Set([...keep.keys()].map(profileDirName));
    const history = join(this.location, 'history');
    for (const name of await readdir(history).catch(() => [] as string[]))
      if (!wanted.has(name)) await rm(join(history, name), { recursive: true, force: true });
  }
}

export async function openResultsIndex<D>(root: string, opts: IndexOptions<D>): Promise<ResultsIndex<D>> {
  const candidates = await candidatesIn(root);
  const real = await realpath(root);
  let location = opts.indexRoot ? join(opts.indexRoot, sha256Of(real).slice(0, 32)) : null;
  const old = location ? await readCatalog(join(location, 'catalog.json'), real, opts.digest.version) : null;
  const catalog: Catalog = {
    kind: RESULTS_INDEX_KIND,
    schemaVersion: RESULTS_INDEX_SCHEMA_VERSION,
    root: real,
    digestVersion: opts.digest.version,
    runs: {},
  };
  const stores = new DigestStores(opts.digest, location);
  const stale = candidates.filter((c) => c.inProgress || old?.runs[c.name]?.key !== c.key);
  const runs: IndexedRun[] = [];
  let done = 0;
  const progress = () => opts.onProgress?.({ root, total: stale.length, done, location });
  if (stale.length > 0) progress();
  for (const c of candidates) {
    let entry: Omit<CatalogEntry, 'key'> | undefined = c.inProgress ? undefined : old?.runs[c.name];
    if (!entry || old?.runs[c.name]?.key !== c.key) {
      const read = await indexRun(c.dir, opts.digest);
      entry = read.entry;
      const profile = profileOf(entry);
      if (read.digest !== undefined && profile !== undefined)
        await stores.add(profile, c.name, c.key, read.digest, c.inProgress);
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
  // A run gone, or now in progress, or of another profile than before: its profile's digests are rewritten.
  for (const [name, e] of Object.entries(old?.runs ?? {}))
    if (profileOf(catalog.runs[name]) !== profileOf(e) && profileOf(e) !== undefined) stores.touched.add(profileOf(e)!);
  const changed = !old || stores.touched.size > 0 || stale.some((c) => !c.inProgress);
  if (location && changed) {
    try {
      await storeIndex(location, catalog, stores, real);
    } catch (err) {
      opts.onWarning?.(
        `results index: cannot write ${location} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); runs are read directly`,
      );
      location = null;
      stores.stopStoring();
    }
  }
  return {
    runs: runs.sort(newestFirst),
    location,
    digests: (list, metric, accept) => digestsOf(list, metric, { catalog, stores, kind: opts.digest, accept }),
  };
}

/** Per profile, the names of the runs the catalog keeps (readable, not in progress). */
function keptByProfile(catalog: Catalog): Map<string, Set<string>> {
  const keep = new Map<string, Set<string>>();
  for (const [name, e] of Object.entries(catalog.runs)) {
    const profile = profileOf(e);
    if (profile === undefined) continue;
    if (!keep.has(profile)) keep.set(profile, new Set());
    keep.get(profile)!.add(name);
  }
  return keep;
}

/** Digest files of the touched profiles, then the catalog (atomically, each); the old per-run layout removed. */
async function storeIndex<D>(location: string, catalog: Catalog, stores: DigestStores<D>, real: string): Promise<void> {
  const created = !statIfThere(location);
  await mkdir(location, { recursive: true });
  if (created) {
    await writeFileAtomic(join(location, 'root'), real);
    await pruneVanishedRoots(join(location, '..'), location);
  }
  await stores.write(keptByProfile(catalog));
  await rm(join(location, 'digests'), { recursive: true, force: true });
  await writeFileAtomic(join(location, 'catalog.json'), JSON.stringify(catalog));
}

/** The digests of `list` (see ResultsIndex.digests); runs read again are stored again. */
async function digestsOf<D>(
  list: readonly IndexedRun[],
  metric: string,
  ctx: { catalog: Catalog; stores: DigestStores<D>; kind: DigestKind<D>; accept?: (digest: D) => boolean },
): Promise<D[]> {
  const out: D[] = [];
  let repaired = false;
  for (const run of list) {
    const key = ctx.catalog.runs[run.name]?.key;
    const profile = run.overview?.manifest.profileName;
    let digest: D | null = run.inProgress ? (ctx.stores.live.get(run.name) ?? null) : null;
    if (!run.inProgress && key !== undefined && profile !== undefined) {
      const store = await ctx.stores.of(profile);
      const dir = ctx.stores.dir(profile);
      if (dir) await loadMetric(store, dir, metric, ctx.kind.version);
      digest = digestFrom(store, ctx.kind, run.name, key, metric);
    }
    if (digest === null || !(ctx.accept?.(digest) ?? true)) {
      const read = await indexRun(run.dir, ctx.kind);
      if (read.digest === undefined) throw new InputError(`${run.dir}: ${read.entry.error ?? 'unreadable'}`);
      if (!run.inProgress && key !== undefined && profile !== undefined) {
        await ctx.stores.add(profile, run.name, key, read.digest, false);
        repaired = true;
        digest = digestFrom(await ctx.stores.of(profile), ctx.kind, run.name, key, metric);
      }
      digest ??= read.digest;
    }
    out.push(digest as D);
  }
  // Damaged or missing digests (a file cut short, of an older version): stored again, so the next call reads none.
  if (repaired) await ctx.stores.write(keptByProfile(ctx.catalog)).catch(() => undefined);
  return out;
}
