/**
 * Reading published runs back: a whole run (PublishedRun, for compare and
 * gate, the structure the file reader produces), the runs of a profile with
 * only what `history` reads (PublishedHistoryRun: per-cell values, no
 * samples), and the listing rows of `list` (no samples at all). Only counted runs are listed:
 * a shard whose merged run is published appears through the merged run
 * (the `effective_runs` view).
 */
import type pg from 'pg';
import { InputError } from '../../model/errors.js';
import type { CellValues, Sample } from '../../model/sample.js';
import type { StoredDiagnostic } from '../../model/diagnostic.js';
import { UUID_PATTERN } from '../../util/uuid.js';
import type { RunManifest } from '../manifest.js';
import type { Completeness } from '../completeness.js';
import { DB_SCHEMA, checkSchema } from './migrations.js';
import { withDb, type DbSource } from './connection.js';
import type { PublishedRun, PublishedSource } from './published-run.js';

/** `latest:<profile>`: the latest counted run of a profile. */
export const LATEST_PREFIX = 'latest:';

/** Whether an argument names a published run (a UUID or `latest:<profile>`) rather than a path. */
export function isRunRef(text: string): boolean {
  return (
    UUID_PATTERN.test(text.toLowerCase()) || (text.startsWith(LATEST_PREFIX) && text.length > LATEST_PREFIX.length)
  );
}

/** The run id a reference names; one line when the database has no such run. */
export async function resolveRunRef(client: pg.Client, ref: string): Promise<string> {
  if (ref.startsWith(LATEST_PREFIX)) {
    const profile = ref.slice(LATEST_PREFIX.length);
    const r = await client.query<{ run_id: string }>(
      `SELECT run_id FROM ${DB_SCHEMA}.effective_runs WHERE profile_name = $1 ORDER BY started_at DESC, run_id DESC LIMIT 1`,
      [profile],
    );
    if (!r.rows[0]) throw new InputError(`${ref}: the database has no run of profile ${profile}`);
    return r.rows[0].run_id;
  }
  if (!UUID_PATTERN.test(ref.toLowerCase()))
    throw new InputError(`${ref}: expected a run id (UUID) or latest:<profile>`);
  const r = await client.query(`SELECT 1 FROM ${DB_SCHEMA}.runs WHERE run_id = $1`, [ref.toLowerCase()]);
  if (r.rowCount === 0) throw new InputError(`${ref}: no run with this id in the database`);
  return ref.toLowerCase();
}

interface RunRow {
  run_id: string;
  label: string;
  manifest: RunManifest;
  profile: unknown;
  plan: unknown;
  completeness: Completeness;
  diagnostics: StoredDiagnostic[];
  guest_fio: string | null;
  environment: Record<string, unknown>;
}

const RUN_COLUMNS = `r.run_id, r.label, r.manifest, r.profile, r.plan, r.completeness, r.diagnostics, r.guest_fio, f.environment`;

/** The published manifest carries the run's id (a run stored before ids existed has its derived one there). */
const withId = (row: { run_id: string; manifest: RunManifest }): RunManifest => ({
  ...row.manifest,
  runId: row.run_id,
});

/** One published run, whole (samples as published: without insight). */
export async function readPublishedRun(client: pg.Client, runId: string): Promise<PublishedRun> {
  const run = await client.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM ${DB_SCHEMA}.runs r JOIN ${DB_SCHEMA}.fingerprints f USING (run_id) WHERE r.run_id = $1`,
    [runId],
  );
  const row = run.rows[0];
  if (!row) throw new InputError(`${runId}: no run with this id in the database`);
  const samples = await client.query<{ record: Sample }>(
    `SELECT record FROM ${DB_SCHEMA}.samples WHERE run_id = $1 ORDER BY seq`,
    [runId],
  );
  const sources = await client.query<{ source_run_id: string | null; source_label: string }>(
    `SELECT source_run_id, source_label FROM ${DB_SCHEMA}.run_sources WHERE run_id = $1 ORDER BY position`,
    [runId],
  );
  return {
    runId: row.run_id,
    label: row.label,
    manifest: withId(row),
    profile: row.profile,
    plan: row.plan,
    environment: row.environment,
    guestFio: row.guest_fio,
    samples: samples.rows.map((s) => s.record),
    diagnostics: row.diagnostics,
    completeness: row.completeness,
    sources: sources.rows.map((s): PublishedSource => ({ runId: s.source_run_id, dir: s.source_label })),
  };
}

/** One row of `list --db`: the manifest and counts, no samples. */
export interface PublishedListing {
  runId: string;
  label: string;
  manifest: RunManifest;
  cells: number;
  samples: number;
  ok: number;
  completeness: Completeness;
  diagnostics: StoredDiagnostic[];
}

/** The counted runs, newest first (optionally of one profile). */
export async function listPublished(client: pg.Client, profile?: string): Promise<PublishedListing[]> {
  const r = await client.query<
    RunRow & { cell_count: number; sample_count: number; ok_count: number; completeness: Completeness }
  >(
    `SELECT run_id, label, manifest, completeness, diagnostics, cell_count, sample_count, ok_count
     FROM ${DB_SCHEMA}.effective_runs WHERE $1::text IS NULL OR profile_name = $1
     ORDER BY started_at DESC, label DESC`,
    [profile ?? null],
  );
  return r.rows.map((row) => ({
    runId: row.run_id,
    label: row.label,
    manifest: withId(row),
    cells: row.cell_count,
    samples: row.sample_count,
    ok: row.ok_count,
    completeness: row.completeness,
    diagnostics: row.diagnostics,
  }));
}

/**
 * One published run as history reads it: per cell (in order of first
 * measurement) the ok values of the followed metric in time order, the
 * metric's direction, and the observed facts the fingerprint uses (per key,
 * its distinct values as text). `label` is the results directory's name.
 */
export interface PublishedHistoryRun {
  runId: string;
  label: string;
  manifest: RunManifest;
  profile: unknown;
  environment: Record<string, unknown>;
  diagnostics: StoredDiagnostic[];
  completeness: Completeness;
  better: 'higher' | 'lower' | null;
  cells: { cellKey: string; cell: CellValues; values: number[] | undefined }[];
  observed: Record<string, string[]>;
}

interface HistoryRunRow {
  run_id: string;
  label: string;
  manifest: RunManifest;
  profile: unknown;
  completeness: Completeness;
  diagnostics: StoredDiagnostic[];
  environment: Record<string, unknown>;
  observed: Record<string, string[]> | null;
  better: 'higher' | 'lower' | null;
}

/** Per run, its cells in measurement order and their values (json: parsed once per run, not per cell). */
type SeriesRow = [runId: string, cellKeys: string[] | null, values: number[][] | null];

type Series = { keys: string[]; values: (number[] | undefined)[] };

/**
 * Per run, its cells in measurement order with the metric's values: one
 * index range of `cell_values` per run, aggregated by the server into one
 * json row per run (parsing 70 000 small arrays in the driver costs more
 * than the query). A run without the metric has its cells from `cells`.
 */
async function seriesOf(client: pg.Client, ids: readonly string[], metric: string): Promise<Map<string, Series>> {
  const out = new Map<string, Series>();
  const series = await client.query<SeriesRow>({
    text: `SELECT r.id, s.keys, s.vals FROM unnest($1::uuid[]) AS r(id) CROSS JOIN LATERAL (
             SELECT json_agg(cell_key ORDER BY first_seq) AS keys, json_agg(vals ORDER BY first_seq) AS vals
             FROM ${DB_SCHEMA}.cell_values WHERE run_id = r.id AND metric = $2) s`,
    values: [ids, metric],
    rowMode: 'array',
  });
  for (const [runId, keys, values] of series.rows)
    if (keys && values) out.set(runId, { keys, values: values.map((v) => (v.length > 0 ? v : undefined)) });
  const without = ids.filter((id) => !out.has(id));
  if (without.length === 0) return out;
  const cells = await client.query<[string, string[]]>({
    text: `SELECT run_id, json_agg(cell_key ORDER BY first_seq) FROM ${DB_SCHEMA}.cells
           WHERE run_id = ANY($1::uuid[]) GROUP BY run_id`,
    values: [without],
    rowMode: 'array',
  });
  for (const [runId, keys] of cells.rows) out.set(runId, { keys, values: keys.map(() => undefined) });
  return out;
}

/** Each cell's values (axis → value), once: a cell key is a function of them, so any run's copy serves all. */
async function cellsOf(
  client: pg.Client,
  ids: readonly string[],
  keys: readonly string[],
): Promise<Map<string, CellValues>> {
  const r = await client.query<{ cell_key: string; cell: CellValues }>(
    `SELECT k.cell_key, c.cell FROM unnest($2::text[]) AS k(cell_key)
     CROSS JOIN LATERAL (SELECT cell FROM ${DB_SCHEMA}.cells WHERE run_id = ANY($1::uuid[]) AND cell_key = k.cell_key LIMIT 1) c`,
    [ids, keys],
  );
  return new Map(r.rows.map((row) => [row.cell_key, row.cell]));
}

/**
 * The counted runs of a profile (oldest first; the latest `last` when given)
 * as history reads them, from the per-run aggregates `publish` derived
 * (migration 2): three queries whatever the number of runs, no sample read.
 */
export async function readHistoryRuns(
  client: pg.Client,
  opts: { profile: string; metric: string; last?: number; observedKeys: readonly string[] },
): Promise<PublishedHistoryRun[]> {
  const runs = await client.query<HistoryRunRow>(
    `SELECT l.*, f.environment, m.better,
       (SELECT jsonb_object_agg(k.key, f.observed -> k.key) FROM unnest($3::text[]) AS k(key) WHERE f.observed ? k.key) AS observed
     FROM (
       SELECT r.run_id, r.label, r.manifest, r.profile, r.completeness, r.diagnostics, r.started_at
       FROM ${DB_SCHEMA}.effective_runs r
       WHERE r.profile_name = $1 ORDER BY r.started_at DESC, r.label DESC LIMIT $2) l
     JOIN ${DB_SCHEMA}.fingerprints f USING (run_id)
     LEFT JOIN ${DB_SCHEMA}.run_metrics m ON m.run_id = l.run_id AND m.metric = $4
     ORDER BY l.started_at, l.label`,
    [opts.profile, opts.last ?? null, opts.observedKeys, opts.metric],
  );
  const ids = runs.rows.map((r) => r.run_id);
  const series = await seriesOf(client, ids, opts.metric);
  const keys = new Set([...series.values()].flatMap((s) => s.keys));
  const cellOf = await cellsOf(client, ids, [...keys]);
  const cellsOfRun = (id: string): PublishedHistoryRun['cells'] => {
    const s = series.get(id) ?? { keys: [], values: [] };
    return s.keys.map((cellKey, i) => ({ cellKey, cell: cellOf.get(cellKey) ?? {}, values: s.values[i] }));
  };
  return runs.rows.map((row) => ({
    runId: row.run_id,
    label: row.label,
    manifest: withId(row),
    profile: row.profile,
    environment: row.environment,
    diagnostics: row.diagnostics,
    completeness: row.completeness,
    better: row.better,
    cells: cellsOfRun(row.run_id),
    observed: row.observed ?? {},
  }));
}

/** Connects, checks the schema, runs one read, disconnects; every database problem is one line. */
function readDb<T>(source: DbSource, doing: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  return withDb(source, doing, async (client) => {
    await checkSchema(client);
    return fn(client);
  });
}

/** `history --db`: the counted runs of a profile, as history reads them. */
export function historyRunsFromDb(
  source: DbSource,
  opts: { profile: string; metric: string; last?: number; observedKeys: readonly string[] },
): Promise<PublishedHistoryRun[]> {
  return readDb(source, 'reading the history', (client) => readHistoryRuns(client, opts));
}

/** `list --db`: the counted runs, newest first. */
export function listingFromDb(source: DbSource, profile?: string): Promise<PublishedListing[]> {
  return readDb(source, 'listing runs', (client) => listPublished(client, profile));
}

/** `compare`/`gate` with `--db`: one published run by id or `latest:<profile>`. */
export function publishedRunFromDb(source: DbSource, ref: string): Promise<PublishedRun> {
  return readDb(source, `reading run ${ref}`, async (client) =>
    readPublishedRun(client, await resolveRunRef(client, ref)),
  );
}
