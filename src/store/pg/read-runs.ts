/**
 * Reading published runs back into the structures the file readers produce:
 * a whole run (PublishedRun, for compare and gate), the runs of a profile
 * with only what `history` reads (StoredRun with light samples), and the
 * listing rows of `list` (no samples at all). Only counted runs are listed:
 * a shard whose merged run is published appears through the merged run
 * (the `effective_runs` view).
 */
import type pg from 'pg';
import { InputError } from '../../model/errors.js';
import type { Sample } from '../../model/sample.js';
import type { StoredDiagnostic } from '../../model/diagnostic.js';
import { RESULTS_SCHEMA_VERSION } from '../../model/sample.js';
import { UUID_PATTERN } from '../../util/uuid.js';
import type { RunManifest } from '../manifest.js';
import type { Completeness } from '../completeness.js';
import type { StoredRun } from '../run-reader.js';
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

const HISTORY_COLUMNS = `r.run_id, r.label, r.manifest, r.profile, r.completeness, r.diagnostics, f.environment`;

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

interface CellSeriesRow {
  run_id: string;
  cell_key: string;
  first: number;
  vals: number[] | null;
}

/** What history reads of one run's samples, aggregated by the server: per cell, the ok values in time order. */
interface RunSeries {
  cells: CellSeriesRow[];
  metric: { unit: string; better: 'higher' | 'lower' } | null;
  observed: Record<string, string>;
}

async function seriesOf(
  client: pg.Client,
  runIds: readonly string[],
  metric: string,
  observedKeys: readonly string[],
): Promise<Map<string, RunSeries>> {
  const out = new Map<string, RunSeries>(runIds.map((id) => [id, { cells: [], metric: null, observed: {} }]));
  // The values groupSamples takes: ok samples with the metric, by start time then repetition.
  const cells = await client.query<CellSeriesRow>(
    `SELECT run_id, cell_key, min(seq) AS first,
            array_agg((metrics -> $2 ->> 'value')::float8 ORDER BY started_at, repetition)
              FILTER (WHERE status = 'ok' AND metrics ? $2) AS vals
     FROM ${DB_SCHEMA}.samples WHERE run_id = ANY($1::uuid[])
     GROUP BY run_id, cell_key ORDER BY run_id, first`,
    [runIds, metric],
  );
  for (const row of cells.rows) out.get(row.run_id)?.cells.push(row);
  const metrics = await client.query<{ run_id: string; unit: string; better: 'higher' | 'lower' }>(
    `SELECT DISTINCT ON (run_id) run_id, metrics -> $2 ->> 'unit' AS unit, metrics -> $2 ->> 'better' AS better
     FROM ${DB_SCHEMA}.samples WHERE run_id = ANY($1::uuid[]) AND metrics ? $2 ORDER BY run_id, seq`,
    [runIds, metric],
  );
  for (const row of metrics.rows) out.get(row.run_id)!.metric = { unit: row.unit, better: row.better };
  // The observed facts the fingerprint reads: their distinct values, sorted and joined as fingerprintOf joins them.
  const observed = await client.query<{ run_id: string; key: string; vals: string[] }>(
    `SELECT s.run_id, k.key, array_agg(DISTINCT s.observed ->> k.key) AS vals
     FROM ${DB_SCHEMA}.samples s CROSS JOIN unnest($2::text[]) AS k(key)
     WHERE s.run_id = ANY($1::uuid[]) AND s.observed ? k.key GROUP BY s.run_id, k.key`,
    [runIds, observedKeys],
  );
  for (const row of observed.rows) out.get(row.run_id)!.observed[row.key] = [...row.vals].sort().join(', ');
  return out;
}

/**
 * One run's samples as history reads them, rebuilt from its series: per
 * cell (in order of first measurement) an ok sample per value, or one
 * failed sample when the cell has no value; the observed facts on the first.
 */
function seriesSamples(run: RunRow, series: RunSeries, metric: string, cells: Map<string, Sample['cell']>): Sample[] {
  const samples: Sample[] = [];
  const at = run.manifest.startedAt;
  for (const c of series.cells) {
    const cell = cells.get(c.cell_key) ?? {};
    const base = {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      cellKey: c.cell_key,
      cell,
      requested: cell,
      groupId: '-',
      bootId: '-',
      startedAt: at,
      finishedAt: at,
      accel: run.manifest.accel,
      observed: {},
      notices: [],
    };
    const values = c.vals ?? [];
    if (values.length === 0) samples.push({ ...base, repetition: 0, status: 'failed', metrics: {} });
    values.forEach((value, repetition) =>
      samples.push({
        ...base,
        repetition,
        status: 'ok',
        metrics: series.metric ? { [metric]: { value, ...series.metric } } : {},
      }),
    );
  }
  if (samples[0]) samples[0].observed = series.observed;
  return samples;
}

/**
 * The counted runs of a profile (oldest first; the latest `last` when given)
 * as history reads them: per cell the values of the followed metric in time
 * order, the direction of improvement, the observed facts the fingerprint
 * uses (`observedKeys`) — aggregated by the server, one row per run and cell.
 * `dir` is the results directory's name, which is what history shows.
 */
export async function readHistoryRuns(
  client: pg.Client,
  opts: { profile: string; metric: string; last?: number; observedKeys: readonly string[] },
): Promise<StoredRun[]> {
  const runs = await client.query<RunRow>(
    `SELECT * FROM (
       SELECT ${HISTORY_COLUMNS}, r.started_at FROM ${DB_SCHEMA}.effective_runs r JOIN ${DB_SCHEMA}.fingerprints f USING (run_id)
       WHERE r.profile_name = $1 ORDER BY r.started_at DESC, r.label DESC LIMIT $2) latest
     ORDER BY started_at, label`,
    [opts.profile, opts.last ?? null],
  );
  const ids = runs.rows.map((r) => r.run_id);
  const cells = await client.query<{ cell_key: string; cell: Sample['cell'] }>(
    `SELECT DISTINCT ON (cell_key) cell_key, cell FROM ${DB_SCHEMA}.cells WHERE run_id = ANY($1::uuid[])
     ORDER BY cell_key, run_id`,
    [ids],
  );
  const cellOf = new Map(cells.rows.map((c) => [c.cell_key, c.cell]));
  const series = await seriesOf(client, ids, opts.metric, opts.observedKeys);
  return runs.rows.map((row) => ({
    dir: row.label,
    manifest: withId(row),
    profile: row.profile,
    environment: row.environment,
    // history does not read the plan (a 200-cell plan is ~100 KiB a run)
    plan: null,
    samples: seriesSamples(row, series.get(row.run_id)!, opts.metric, cellOf),
    diagnostics: row.diagnostics,
    completeness: row.completeness,
  }));
}

/** Connects, checks the schema, runs one read, disconnects; every database problem is one line. */
function readDb<T>(source: DbSource, doing: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  return withDb(source, doing, async (client) => {
    await checkSchema(client);
    return fn(client);
  });
}

/** `history --db`: the counted runs of a profile, as StoredRun with the samples history reads. */
export function historyRunsFromDb(
  source: DbSource,
  opts: { profile: string; metric: string; last?: number; observedKeys: readonly string[] },
): Promise<StoredRun[]> {
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
