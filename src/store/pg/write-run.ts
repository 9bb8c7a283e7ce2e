/**
 * Publishing one run: one transaction that inserts it, or replaces the
 * published copy when its content changed (a resumed run keeps its id), or
 * changes nothing when the same content is already there. An advisory lock
 * on the run's id serialises two publishers of the same run.
 */
import type pg from 'pg';
import { DB_SCHEMA } from './migrations.js';
import { contentHash, type PublishedRun } from './published-run.js';
import { METRIC } from '../../model/metrics.js';
import { TOOL_VERSION } from '../../util/version.js';

export type PublishOutcome = 'inserted' | 'replaced' | 'unchanged';

/** Rows per INSERT statement (PostgreSQL takes at most 65535 parameters). */
const SAMPLE_BATCH = 500;

async function insertRows(
  client: pg.Client,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
): Promise<void> {
  for (let i = 0; i < rows.length; i += SAMPLE_BATCH) {
    const batch = rows.slice(i, i + SAMPLE_BATCH);
    const values = batch
      .map((_, r) => `(${columns.map((_c, c) => `$${r * columns.length + c + 1}`).join(', ')})`)
      .join(', ');
    await client.query(`INSERT INTO ${DB_SCHEMA}.${table} (${columns.join(', ')}) VALUES ${values}`, batch.flat());
  }
}

/** The run's own row: its manifest, counts, content hash and file stamp. */
async function insertRunRow(client: pg.Client, run: PublishedRun, hash: string, stamp: string | null): Promise<void> {
  const m = run.manifest;
  await client.query(
    `INSERT INTO ${DB_SCHEMA}.runs (run_id, label, profile_name, started_at, finished_at, status, accel, tool_version,
       planned_samples, missing_samples, cell_count, sample_count, ok_count, content_sha256, manifest, profile, plan,
       completeness, diagnostics, guest_fio, source_stamp)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
    [
      run.runId,
      run.label,
      m.profileName,
      m.startedAt,
      m.finishedAt,
      m.status,
      m.accel,
      m.tool?.version ?? TOOL_VERSION,
      run.completeness.planned,
      run.completeness.missing.length,
      new Set(run.samples.map((s) => s.cellKey)).size,
      run.samples.length,
      run.samples.filter((s) => s.status === 'ok').length,
      hash,
      JSON.stringify(m),
      JSON.stringify(run.profile ?? null),
      JSON.stringify(run.plan ?? null),
      JSON.stringify(run.completeness),
      JSON.stringify(run.diagnostics),
      run.guestFio,
      stamp,
    ],
  );
}

const SAMPLE_COLUMNS = [
  'run_id',
  'cell_key',
  'repetition',
  'seq',
  'status',
  'reason',
  'failure_kind',
  'started_at',
  'finished_at',
  'iops',
  'metrics',
  'observed',
  'record',
] as const;

/** The run's cells (each once, with its first sample's seq) and samples, in measurement order. */
async function insertCellsAndSamples(client: pg.Client, run: PublishedRun): Promise<void> {
  const cells = new Map(run.samples.map((s) => [s.cellKey, s.cell]));
  // first_seq is the cell's first sample's seq; derive_run_aggregates sets the same, from the samples.
  const firstSeq = new Map<string, number>();
  run.samples.forEach((s, seq) => firstSeq.has(s.cellKey) || firstSeq.set(s.cellKey, seq));
  await insertRows(
    client,
    'cells',
    ['run_id', 'cell_key', 'cell', 'first_seq'],
    [...cells].map(([key, cell]) => [run.runId, key, JSON.stringify(cell), firstSeq.get(key)]),
  );
  await insertRows(
    client,
    'samples',
    SAMPLE_COLUMNS,
    run.samples.map((s, seq) => [
      run.runId,
      s.cellKey,
      s.repetition,
      seq,
      s.status,
      s.reason ?? null,
      s.failureKind ?? null,
      s.startedAt,
      s.finishedAt,
      s.metrics[METRIC.iops]?.value ?? null,
      JSON.stringify(s.metrics),
      JSON.stringify(s.observed),
      JSON.stringify(s),
    ]),
  );
}

async function insertRun(
  client: pg.Client,
  run: PublishedRun,
  hash: string,
  fingerprint: object,
  stamp: string | null,
): Promise<void> {
  await insertRunRow(client, run, hash, stamp);
  await insertRows(
    client,
    'run_sources',
    ['run_id', 'position', 'source_run_id', 'source_label'],
    run.sources.map((s, i) => [run.runId, i, s.runId, s.dir]),
  );
  await client.query(
    `INSERT INTO ${DB_SCHEMA}.fingerprints (run_id, environment, fields, observed) VALUES ($1, $2, $3, '{}')`,
    [run.runId, JSON.stringify(run.environment), JSON.stringify(fingerprint)],
  );
  await insertCellsAndSamples(client, run);
  await client.query(`SELECT ${DB_SCHEMA}.derive_run_aggregates($1)`, [run.runId]);
}

/**
 * Publishes one run in one transaction. `fingerprint`: its flattened
 * fingerprint (path → value), kept for SQL users (dashboards, annotations);
 * `stamp`: its directory's file stamp (src/store/run-stamp.ts), kept so the
 * next publish of the unchanged directory need not read it.
 */
export async function publishRun(
  client: pg.Client,
  run: PublishedRun,
  fingerprint: object,
  stamp: string | null,
): Promise<PublishOutcome> {
  const hash = contentHash(run);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [run.runId]);
    const found = await client.query<{ content_sha256: string }>(
      `SELECT content_sha256 FROM ${DB_SCHEMA}.runs WHERE run_id = $1`,
      [run.runId],
    );
    const published = found.rows[0]?.content_sha256;
    if (published === hash) {
      await client.query(`UPDATE ${DB_SCHEMA}.runs SET source_stamp = $2 WHERE run_id = $1`, [run.runId, stamp]);
      await client.query('COMMIT');
      return 'unchanged';
    }
    if (published !== undefined) await client.query(`DELETE FROM ${DB_SCHEMA}.runs WHERE run_id = $1`, [run.runId]);
    await insertRun(client, run, hash, fingerprint, stamp);
    await client.query('COMMIT');
    return published === undefined ? 'inserted' : 'replaced';
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** A run published from a directory with this file stamp: its id and sample count, keyed by stamp. */
export async function publishedStamps(client: pg.Client): Promise<Map<string, { runId: string; samples: number }>> {
  const r = await client.query<{ source_stamp: string; run_id: string; sample_count: number }>(
    `SELECT source_stamp, run_id, sample_count FROM ${DB_SCHEMA}.runs WHERE source_stamp IS NOT NULL`,
  );
  return new Map(r.rows.map((row) => [row.source_stamp, { runId: row.run_id, samples: row.sample_count }]));
}
