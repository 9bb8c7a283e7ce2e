/**
 * The database schema, versioned: an ordered list of migrations, each applied
 * once in its own transaction and recorded in `vblk_bench.schema_migrations`.
 * `publish` brings a database up to date (under an advisory lock, so two
 * publishers cannot both migrate); readers only check that the schema is one
 * they know. A migration is never edited once released: a change is a new
 * one. docs/sharing-results.md documents the tables and the views.
 */
import type pg from 'pg';
import { InputError } from '../../model/errors.js';

export const DB_SCHEMA = 'vblk_bench';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Migration 1: runs, their sources, fingerprints, cells and samples; the views. */
const INITIAL = `
CREATE TABLE ${DB_SCHEMA}.runs (
  run_id          uuid PRIMARY KEY,
  label           text NOT NULL,
  profile_name    text NOT NULL,
  started_at      timestamptz NOT NULL,
  finished_at     timestamptz,
  status          text NOT NULL,
  accel           text NOT NULL,
  tool_version    text NOT NULL,
  planned_samples integer NOT NULL,
  missing_samples integer NOT NULL,
  cell_count      integer NOT NULL,
  sample_count    integer NOT NULL,
  ok_count        integer NOT NULL,
  content_sha256  text NOT NULL,
  published_at    timestamptz NOT NULL DEFAULT now(),
  manifest        json NOT NULL,
  profile         json NOT NULL,
  plan            json NOT NULL,
  completeness    json NOT NULL,
  diagnostics     json NOT NULL,
  guest_fio       text
);
CREATE INDEX runs_profile_started ON ${DB_SCHEMA}.runs (profile_name, started_at);

CREATE TABLE ${DB_SCHEMA}.run_sources (
  run_id        uuid NOT NULL REFERENCES ${DB_SCHEMA}.runs ON DELETE CASCADE,
  position      integer NOT NULL,
  source_run_id uuid,
  source_label  text NOT NULL,
  PRIMARY KEY (run_id, position)
);
CREATE INDEX run_sources_source ON ${DB_SCHEMA}.run_sources (source_run_id);

CREATE TABLE ${DB_SCHEMA}.fingerprints (
  run_id      uuid PRIMARY KEY REFERENCES ${DB_SCHEMA}.runs ON DELETE CASCADE,
  environment json NOT NULL,
  fields      jsonb NOT NULL
);

CREATE TABLE ${DB_SCHEMA}.cells (
  run_id   uuid NOT NULL REFERENCES ${DB_SCHEMA}.runs ON DELETE CASCADE,
  cell_key text NOT NULL,
  cell     json NOT NULL,
  PRIMARY KEY (run_id, cell_key)
);

CREATE TABLE ${DB_SCHEMA}.samples (
  run_id       uuid NOT NULL,
  cell_key     text NOT NULL,
  repetition   integer NOT NULL,
  seq          integer NOT NULL,
  status       text NOT NULL,
  reason       text,
  failure_kind text,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz NOT NULL,
  iops         double precision,
  metrics      jsonb NOT NULL,
  observed     jsonb NOT NULL,
  record       json NOT NULL,
  PRIMARY KEY (run_id, cell_key, repetition),
  FOREIGN KEY (run_id, cell_key) REFERENCES ${DB_SCHEMA}.cells ON DELETE CASCADE
);

-- A shard whose merged run is published is counted through the merged run only.
CREATE VIEW ${DB_SCHEMA}.effective_runs AS
SELECT r.* FROM ${DB_SCHEMA}.runs r
WHERE NOT EXISTS (
  SELECT 1 FROM ${DB_SCHEMA}.run_sources s JOIN ${DB_SCHEMA}.runs m ON m.run_id = s.run_id
  WHERE s.source_run_id = r.run_id
     OR (s.source_run_id IS NULL AND s.source_label = r.label AND m.profile_name = r.profile_name)
);

-- Median IOPS of the ok samples of each cell of each counted run: the time series a dashboard plots.
CREATE VIEW ${DB_SCHEMA}.cell_iops_over_time AS
SELECT r.started_at AS "time", r.profile_name, r.run_id, r.label, r.accel, c.cell_key, c.cell, m.median_iops, m.n
FROM (
  SELECT s.run_id, s.cell_key, percentile_cont(0.5) WITHIN GROUP (ORDER BY s.iops) AS median_iops, count(*)::integer AS n
  FROM ${DB_SCHEMA}.samples s
  WHERE s.status = 'ok' AND s.iops IS NOT NULL
  GROUP BY s.run_id, s.cell_key
) m
JOIN ${DB_SCHEMA}.effective_runs r ON r.run_id = m.run_id
JOIN ${DB_SCHEMA}.cells c ON c.run_id = m.run_id AND c.cell_key = m.cell_key;
`;

/**
 * Migration 2: what history reads, aggregated once per run when it is
 * published instead of extracted from every sample's jsonb on each read —
 * per cell its position and per metric the ok values in time order
 * (`cell_values`, typed), per run each metric's direction (`run_metrics`) and
 * the distinct observed facts (`fingerprints.observed`). One SQL function
 * derives them from a run's samples: `publish` calls it for each run it
 * writes, and this migration for every run already published (cells'
 * `first_seq`, which publish writes with the cell, is set here too).
 */
const RUN_AGGREGATES = `
ALTER TABLE ${DB_SCHEMA}.cells ADD COLUMN first_seq integer;
ALTER TABLE ${DB_SCHEMA}.fingerprints ADD COLUMN observed jsonb;

CREATE TABLE ${DB_SCHEMA}.run_metrics (
  run_id uuid NOT NULL REFERENCES ${DB_SCHEMA}.runs ON DELETE CASCADE,
  metric text NOT NULL,
  unit   text,
  better text NOT NULL,
  PRIMARY KEY (run_id, metric)
);

CREATE TABLE ${DB_SCHEMA}.cell_values (
  run_id    uuid NOT NULL,
  metric    text NOT NULL,
  first_seq integer NOT NULL,
  cell_key  text NOT NULL,
  vals      double precision[] NOT NULL,
  PRIMARY KEY (run_id, metric, first_seq),
  FOREIGN KEY (run_id, metric) REFERENCES ${DB_SCHEMA}.run_metrics ON DELETE CASCADE,
  FOREIGN KEY (run_id, cell_key) REFERENCES ${DB_SCHEMA}.cells ON DELETE CASCADE
);

-- The order and filter of groupSamples (src/compare/group.ts): ok samples with a numeric value, by start time then
-- repetition; a metric's direction is its first sample's (metricBetter); every cell of the run has a row per metric
-- of the run (no value: an empty array), keyed in measurement order (its first sample's seq), so a run's series is
-- one index range; observed facts as String(value) gives them (a JSON null as 'null').
CREATE FUNCTION ${DB_SCHEMA}.derive_run_aggregates(run uuid) RETURNS void LANGUAGE sql AS $$
  INSERT INTO ${DB_SCHEMA}.run_metrics (run_id, metric, unit, better)
  SELECT DISTINCT ON (m.key) run, m.key, m.value ->> 'unit', m.value ->> 'better'
  FROM ${DB_SCHEMA}.samples s CROSS JOIN jsonb_each(s.metrics) m
  WHERE s.run_id = run AND m.value ->> 'better' IN ('higher', 'lower')
  ORDER BY m.key, s.seq;
  INSERT INTO ${DB_SCHEMA}.cell_values (run_id, metric, first_seq, cell_key, vals)
  SELECT run, rm.metric, c.first_seq, c.cell_key, coalesce(a.vals, '{}')
  FROM ${DB_SCHEMA}.run_metrics rm
  JOIN ${DB_SCHEMA}.cells c ON c.run_id = run
  LEFT JOIN (
    SELECT m.key AS metric, s.cell_key, array_agg((m.value ->> 'value')::float8 ORDER BY s.started_at, s.repetition) AS vals
    FROM ${DB_SCHEMA}.samples s CROSS JOIN jsonb_each(s.metrics) m
    WHERE s.run_id = run AND s.status = 'ok' AND jsonb_typeof(m.value -> 'value') = 'number'
    GROUP BY m.key, s.cell_key
  ) a ON a.metric = rm.metric AND a.cell_key = c.cell_key
  WHERE rm.run_id = run;
  UPDATE ${DB_SCHEMA}.fingerprints SET observed = (
    SELECT coalesce(jsonb_object_agg(o.key, o.vals), '{}'::jsonb)
    FROM (SELECT e.key, jsonb_agg(DISTINCT coalesce(e.value #>> '{}', 'null')) AS vals
          FROM ${DB_SCHEMA}.samples s CROSS JOIN jsonb_each(s.observed) e
          WHERE s.run_id = run GROUP BY e.key) o)
  WHERE run_id = run;
$$;

-- publish writes first_seq with the cell (write-run.ts).
UPDATE ${DB_SCHEMA}.cells c SET first_seq = s.first
FROM (SELECT run_id, cell_key, min(seq) AS first FROM ${DB_SCHEMA}.samples GROUP BY run_id, cell_key) s
WHERE c.run_id = s.run_id AND c.cell_key = s.cell_key;
SELECT ${DB_SCHEMA}.derive_run_aggregates(run_id) FROM ${DB_SCHEMA}.runs;
ALTER TABLE ${DB_SCHEMA}.cells ALTER COLUMN first_seq SET NOT NULL;
ALTER TABLE ${DB_SCHEMA}.fingerprints ALTER COLUMN observed SET NOT NULL;

-- Publishing a run again unchanged is decided from its directory's file stamp, before the run is read.
ALTER TABLE ${DB_SCHEMA}.runs ADD COLUMN source_stamp text;
CREATE INDEX runs_source_stamp ON ${DB_SCHEMA}.runs (source_stamp);

-- The dashboard view reads the aggregates (same columns as before).
CREATE OR REPLACE VIEW ${DB_SCHEMA}.cell_iops_over_time AS
SELECT r.started_at AS "time", r.profile_name, r.run_id, r.label, r.accel, c.cell_key, c.cell, m.median_iops, m.n
FROM (
  SELECT v.run_id, v.cell_key, percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS median_iops, count(*)::integer AS n
  FROM ${DB_SCHEMA}.cell_values v CROSS JOIN unnest(v.vals) AS x
  WHERE v.metric = 'iops'
  GROUP BY v.run_id, v.cell_key
) m
JOIN ${DB_SCHEMA}.effective_runs r ON r.run_id = m.run_id
JOIN ${DB_SCHEMA}.cells c ON c.run_id = m.run_id AND c.cell_key = m.cell_key;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'runs, cells, samples, fingerprints', sql: INITIAL },
  { version: 2, name: 'per-run aggregates for history; source stamps', sql: RUN_AGGREGATES },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Key of the advisory lock held while migrating (any constant; it names this tool's schema). */
const MIGRATION_LOCK = 0x76626c6b;

async function appliedVersions(client: pg.Client): Promise<number[] | null> {
  const exists = await client.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [
    `${DB_SCHEMA}.schema_migrations`,
  ]);
  if (!exists.rows[0]?.present) return null;
  const rows = await client.query<{ version: number }>(
    `SELECT version FROM ${DB_SCHEMA}.schema_migrations ORDER BY version`,
  );
  return rows.rows.map((r) => r.version);
}

/** Applies every migration the database lacks; returns the versions applied. */
export async function migrate(client: pg.Client): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${DB_SCHEMA}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${DB_SCHEMA}.schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = new Set((await appliedVersions(client)) ?? []);
    newerThanKnown([...applied]);
    const done: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO ${DB_SCHEMA}.schema_migrations (version, name) VALUES ($1, $2)`, [
          m.version,
          m.name,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      done.push(m.version);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
  }
}

function newerThanKnown(versions: readonly number[]): void {
  const newer = versions.filter((v) => v > SCHEMA_VERSION);
  if (newer.length)
    throw new InputError(
      `database schema ${DB_SCHEMA} is at version ${Math.max(...newer)}, newer than this vblk-bench knows (${SCHEMA_VERSION}): upgrade vblk-bench`,
    );
}

/** For readers: the schema must exist and be exactly at a version this tool knows. */
export async function checkSchema(client: pg.Client): Promise<void> {
  const versions = await appliedVersions(client);
  if (!versions || versions.length === 0)
    throw new InputError(`database has no ${DB_SCHEMA} schema yet: publish a run first (vblk-bench publish <results>)`);
  newerThanKnown(versions);
  const missing = MIGRATIONS.filter((m) => !versions.includes(m.version)).map((m) => m.version);
  if (missing.length)
    throw new InputError(
      `database schema ${DB_SCHEMA} lacks migration(s) ${missing.join(', ')}: run vblk-bench publish once to bring it up to date`,
    );
}
