/**
 * The digests of the results index (results-index.ts), stored per profile so
 * a reader of one profile's history opens two files, validated once, instead
 * of one file per run: under `<index>/history/<sha256 of the profile>/`,
 * `runs.json` (per run: its key, the metrics it has, and which of the
 * profile's distinct shared and context parts it has — each stored once) and
 * `metric-<name>.json` (per run: its part of that metric). Every run record
 * carries the key the catalog has for it: a record of another key (a run
 * changed since, or a write that stopped half way) is not used — the run is
 * read again.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { DigestMetricFileSchema, DigestRunsFileSchema, RESULTS_INDEX_KIND } from '../model/schemas/results-index.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { sha256Of } from '../util/sha256.js';
import type { StoredRun } from './run-reader.js';
import { FileProblem, checkSchema, readNamedJson } from './stored-file.js';

const MiB = 1024 * 1024;
/** Caps of the digest files (a 200-cell run: ~10 KiB per metric, the cell list ~60 KiB once per profile). */
const MAX_RUNS_FILE_BYTES = 256 * MiB;
const MAX_METRIC_FILE_BYTES = 512 * MiB;

/** What the index keeps per run besides its overview: built by the caller (history), stored in parts. */
export interface DigestKind<D, S = unknown, O = unknown, M = unknown> {
  /** Changes when the digest's content changes: every stored digest of another version is dropped. */
  version: string;
  build(run: StoredRun): D;
  /**
   * Its parts: shared and context (most runs have the same ones — a cell list, a fingerprint: each
   * distinct one is stored and checked once per profile), and one per metric.
   */
  split(digest: D): { shared: S; context: O; metrics: Readonly<Record<string, M>> };
  sharedSchema: z.ZodType<S>;
  contextSchema: z.ZodType<O>;
  metricSchema: z.ZodType<M>;
  /** A digest from its parts (only the metrics asked for). */
  join(shared: S, context: O, metrics: Record<string, M>): D;
}

interface RunRecord {
  key: string;
  /** Indexes into ProfileDigests.texts. */
  shared: number;
  context: number;
  metrics: string[];
}

/** One profile's stored digests, as read or being built: parts are JSON values, checked when used. */
export interface ProfileDigests {
  /** Shared and context parts, each distinct one once, as JSON text (the text is what makes two equal). */
  texts: string[];
  runs: Map<string, RunRecord>;
  /** Per metric, per run: its part; a metric not loaded yet is absent. */
  parts: Map<string, Map<string, unknown>>;
  /** Parts parsed and checked (null: failed) by text and schema, each once however many runs use it. */
  checked: Map<string, unknown>;
}

export const emptyProfileDigests = (): ProfileDigests => ({
  texts: [],
  runs: new Map(),
  parts: new Map(),
  checked: new Map(),
});

export const profileDirName = (profile: string) => sha256Of(profile).slice(0, 32);
const runsFile = (dir: string) => join(dir, 'runs.json');
const metricFile = (dir: string, metric: string) => join(dir, `metric-${metric}.json`);

/** A digest added to a profile's store under the run's key (split; its shared and context parts deduplicated). */
export function addDigest<D>(store: ProfileDigests, kind: DigestKind<D>, name: string, key: string, digest: D): void {
  const { shared, context, metrics } = kind.split(digest);
  const textAt = (value: unknown) => {
    const text = JSON.stringify(value);
    const at = store.texts.indexOf(text);
    return at < 0 ? store.texts.push(text) - 1 : at;
  };
  store.runs.set(name, { key, shared: textAt(shared), context: textAt(context), metrics: Object.keys(metrics) });
  for (const [metric, part] of Object.entries(metrics)) {
    let m = store.parts.get(metric);
    if (!m) store.parts.set(metric, (m = new Map()));
    m.set(name, part);
  }
}

/** A profile's runs.json, or an empty store when it is missing or damaged (its runs are read again). */
export async function readProfileDigests(dir: string, profile: string, version: string): Promise<ProfileDigests> {
  try {
    const file = await readNamedJson(runsFile(dir), DigestRunsFileSchema, MAX_RUNS_FILE_BYTES);
    if (file.digestVersion !== version || file.profile !== profile) return emptyProfileDigests();
    const texts = file.texts.map((s) => JSON.stringify(s));
    const runs = new Map<string, RunRecord>();
    for (const [name, r] of Object.entries(file.runs))
      if (r.shared < texts.length && r.context < texts.length) runs.set(name, r);
    return { texts, runs, parts: new Map(), checked: new Map() };
  } catch (err) {
    if (err instanceof FileProblem) return emptyProfileDigests();
    throw err;
  }
}

/** Loads one metric's parts into the store (none when the file is missing or damaged: those runs are read again). */
export async function loadMetric(store: ProfileDigests, dir: string, metric: string, version: string): Promise<void> {
  if (store.parts.has(metric)) return;
  const parts = new Map<string, unknown>();
  store.parts.set(metric, parts);
  try {
    const file = await readNamedJson(metricFile(dir, metric), DigestMetricFileSchema, MAX_METRIC_FILE_BYTES);
    if (file.digestVersion !== version || file.metric !== metric) return;
    for (const [name, r] of Object.entries(file.runs)) if (store.runs.get(name)?.key === r.key) parts.set(name, r.part);
  } catch (err) {
    if (!(err instanceof FileProblem)) throw err;
  }
}

function checkedText<T>(store: ProfileDigests, schema: z.ZodType<T>, slot: string, at: number): T | null {
  const id = `${slot}:${at}`;
  if (!store.checked.has(id)) {
    const parsed = schema.safeParse(JSON.parse(store.texts[at]!));
    store.checked.set(id, parsed.success ? parsed.data : null);
  }
  return store.checked.get(id) as T | null;
}

/**
 * The run's digest with `metric` from the store, checked against the kind's
 * schemas; null when it is not there under this key, or does not check.
 */
export function digestFrom<D>(
  store: ProfileDigests,
  kind: DigestKind<D>,
  name: string,
  key: string,
  metric: string,
): D | null {
  const record = store.runs.get(name);
  if (!record || record.key !== key) return null;
  const metrics: Record<string, unknown> = {};
  if (record.metrics.includes(metric)) {
    const part = store.parts.get(metric)?.get(name);
    if (part === undefined) return null;
    metrics[metric] = part;
  }
  const shared = checkedText(store, kind.sharedSchema, 'shared', record.shared);
  const context = checkedText(store, kind.contextSchema, 'context', record.context);
  if (shared === null || context === null) return null;
  try {
    const display = `results index: ${name}`;
    for (const m of Object.keys(metrics)) metrics[m] = checkSchema(kind.metricSchema, metrics[m], display);
    return kind.join(shared, context, metrics as Record<string, never>);
  } catch (err) {
    if (err instanceof FileProblem) return null;
    throw err;
  }
}

/**
 * A profile's store written (each file atomically: metric files first, then
 * runs.json) with only the runs in `keep`; files of metrics no run has any
 * more are removed.
 */
export async function writeProfileDigests(
  dir: string,
  profile: string,
  version: string,
  store: ProfileDigests,
  keep: ReadonlySet<string>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const metrics = new Set([...store.runs].flatMap(([name, r]) => (keep.has(name) ? r.metrics : [])));
  for (const metric of metrics) await loadMetric(store, dir, metric, version);
  // A run whose part of a metric is missing (a damaged file) is left out: read again next time.
  const whole = (name: string, r: RunRecord) => r.metrics.every((m) => store.parts.get(m)?.has(name));
  const runs = [...store.runs].filter(([name, r]) => keep.has(name) && whole(name, r));
  const texts: unknown[] = [];
  const textAt = new Map<number, number>();
  const kept = (at: number) => {
    if (!textAt.has(at)) textAt.set(at, texts.push(JSON.parse(store.texts[at]!)) - 1);
    return textAt.get(at)!;
  };
  const records = runs.map(([name, r]): [string, RunRecord] => [
    name,
    { ...r, shared: kept(r.shared), context: kept(r.context) },
  ]);
  for (const metric of metrics) {
    const parts = store.parts.get(metric)!;
    const entries: Record<string, { key: string; part: unknown }> = {};
    for (const [name, r] of runs) if (r.metrics.includes(metric)) entries[name] = { key: r.key, part: parts.get(name) };
    const file = { kind: `${RESULTS_INDEX_KIND}-digest-metric`, digestVersion: version, metric, runs: entries };
    await writeFileAtomic(metricFile(dir, metric), JSON.stringify(file));
  }
  const file = {
    kind: `${RESULTS_INDEX_KIND}-digests`,
    digestVersion: version,
    profile,
    texts,
    runs: Object.fromEntries(records),
  };
  await writeFileAtomic(runsFile(dir), JSON.stringify(file));
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = /^metric-(.+)\.json$/.exec(name);
    if (m && !metrics.has(m[1]!)) await rm(join(dir, name), { force: true });
  }
}
