/**
 * `publish` and `--db` through the real CLI against a real, throwaway
 * PostgreSQL 15 (test/helpers/postgres.ts: Debian's server, a Unix socket in
 * a temporary directory, stopped at the end). The runs are the recorded
 * fixtures (test/fixtures/runs/gate); `run --resume` of a whole copy
 * measures nothing, so the run-end publish step is exercised without a boot.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { runCli, hasStackTrace, testLockDirectory, REPO_ROOT, type CliResult } from '../helpers/cli.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { leftoverProcesses, processesMatching } from '../helpers/processes.js';
import { existsSync } from 'node:fs';
import { readHistoryRuns } from '../../src/store/pg/read-runs.js';
import { MIGRATIONS } from '../../src/store/pg/migrations.js';
import { OBSERVED_FIELDS, fingerprintOf } from '../../src/fingerprint/environment.js';
import { loadRun } from '../../src/store/run-reader.js';

const F = join(REPO_ROOT, 'test/fixtures/runs/gate');
const GATE_RUNS = ['base', 'same', 'throttled', 'small', 'partial'];
const show = (r: CliResult) => `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
const cli = (args: string[], db: string | undefined) =>
  runCli(args, { timeoutMs: 120_000, env: { VBLK_BENCH_DB: db ?? '', VBLK_BENCH_LOCK_DIR: testLockDirectory() } });

function expectExit(r: CliResult, code: number): void {
  assert.equal(r.exitCode, code, show(r));
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function rowCounts(url: string): Promise<Record<string, number>> {
  const tables = ['runs', 'run_sources', 'fingerprints', 'cells', 'samples'];
  const [row] = await query<Record<string, string>>(
    url,
    `SELECT ${tables.map((t) => `(SELECT count(*) FROM vblk_bench.${t}) AS ${t}`).join(', ')}`,
  );
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}

/** Row counts of the derived tables, and a digest of their content. */
async function aggregates(url: string): Promise<{ cell_values: number; run_metrics: number; content: string }> {
  const [row] = await query<{ cell_values: string; run_metrics: string; content: string }>(
    url,
    `SELECT (SELECT count(*) FROM vblk_bench.cell_values) AS cell_values,
            (SELECT count(*) FROM vblk_bench.run_metrics) AS run_metrics,
            md5((SELECT string_agg(run_id || metric || cell_key || vals::text, ';' ORDER BY run_id, metric, cell_key)
                 FROM vblk_bench.cell_values)
                || (SELECT string_agg(run_id || observed::text, ';' ORDER BY run_id) FROM vblk_bench.fingerprints)
                || (SELECT string_agg(run_id || cell_key || first_seq, ';' ORDER BY run_id, cell_key) FROM vblk_bench.cells)
                || (SELECT string_agg(run_id || metric || better, ';' ORDER BY run_id, metric) FROM vblk_bench.run_metrics))
              AS content`,
  );
  return { cell_values: Number(row!.cell_values), run_metrics: Number(row!.run_metrics), content: row!.content };
}

/** Run ids by directory name, from `list --db --json`. */
async function publishedIds(url: string, exitCode = 0): Promise<Map<string, string>> {
  const r = await cli(['list', '--db', '--json'], url);
  expectExit(r, exitCode);
  const doc = JSON.parse(r.stdout) as { runs: { dir: string; runId: string }[] };
  return new Map(doc.runs.map((x) => [x.dir, x.runId]));
}

/** A copy of a fixture run in `dir`, with a new name. */
async function copyRun(name: string, dir: string, as = name): Promise<string> {
  const to = join(dir, as);
  await cp(join(F, name), to, { recursive: true });
  return to;
}

async function editManifest(runDir: string, edit: (m: Record<string, unknown>) => void): Promise<void> {
  const path = join(runDir, 'run.json');
  const m = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(m);
  await writeFile(path, JSON.stringify(m, null, 2));
}

describe('publish and --db against a real PostgreSQL 15', () => {
  let server: TestPostgres;
  let tmp = '';
  let dbCount = 0;
  const freshDb = () => server.createDatabase(`t${++dbCount}`);

  before(async () => {
    server = await startPostgres();
    tmp = await mkdtemp(join(tmpdir(), 'vblk-db-'));
  });
  after(async () => {
    await server?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('publishing twice changes nothing: the same rows, every run unchanged', async () => {
    const url = await freshDb();
    const first = await cli(['publish', ...GATE_RUNS.map((n) => join(F, n))], url);
    expectExit(first, 0);
    assert.match(first.stderr, /publish: 5 inserted, 0 replaced, 0 unchanged/);
    const counts = await rowCounts(url);
    assert.equal(counts.runs, 5);
    assert.ok(counts.samples! > 40, JSON.stringify(counts));
    const migrations = await query<{ version: number }>(url, 'SELECT version FROM vblk_bench.schema_migrations');
    assert.deepEqual(
      migrations.map((m) => m.version),
      [1, 2],
    );
    // A directory of runs publishes each run under it; the five above are unchanged, the others new.
    const second = await cli(['publish', ...GATE_RUNS.map((n) => join(F, n))], url);
    expectExit(second, 0);
    assert.match(second.stderr, /publish: 0 inserted, 0 replaced, 5 unchanged/);
    assert.deepEqual(await rowCounts(url), counts);
  });

  it('a schema-1 database is upgraded by publish: aggregates derived from its samples, history as from the files', async () => {
    const url = await freshDb();
    const dir = join(tmp, 'upgrade');
    for (const n of GATE_RUNS) await copyRun(n, dir);
    expectExit(await cli(['publish', dir], url), 0);
    const derived = await aggregates(url);
    assert.ok(derived.cell_values > 0 && derived.run_metrics > 0, JSON.stringify(derived));
    // Back to what migration 1 left (its view, no aggregates): the state of a database published by the first schema.
    const view = /CREATE VIEW \S+\.cell_iops_over_time AS[\s\S]*$/.exec(MIGRATIONS[0]!.sql)![0];
    await query(
      url,
      `BEGIN;
       DROP VIEW vblk_bench.cell_iops_over_time; ${view};
       DROP TABLE vblk_bench.cell_values, vblk_bench.run_metrics;
       DROP FUNCTION vblk_bench.derive_run_aggregates;
       ALTER TABLE vblk_bench.cells DROP COLUMN first_seq;
       ALTER TABLE vblk_bench.fingerprints DROP COLUMN observed;
       ALTER TABLE vblk_bench.runs DROP COLUMN source_stamp;
       DELETE FROM vblk_bench.schema_migrations WHERE version > 1;
       COMMIT;`,
    );
    const old = await cli(['history', '--db', '--profile', 'gate'], url);
    expectExit(old, 2);
    assert.match(old.stderr, /lacks migration\(s\) 2: run vblk-bench publish once/);
    const upgrade = await cli(['publish', dir], url);
    expectExit(upgrade, 0);
    assert.match(upgrade.stderr, /publish: 0 inserted, 0 replaced, 5 unchanged/);
    assert.deepEqual(await aggregates(url), derived);
    const files = await cli(['history', dir, '--profile', 'gate', '--format', 'json'], url);
    const db = await cli(['history', '--db', '--profile', 'gate', '--format', 'json'], url);
    assert.equal(db.exitCode, files.exitCode, show(db));
    assert.deepEqual(JSON.parse(db.stdout), JSON.parse(files.stdout));
    const [series] = await query<{ n: string }>(url, 'SELECT sum(n) AS n FROM vblk_bench.cell_iops_over_time');
    assert.ok(Number(series!.n) > 40, 'the view reads the derived values');
  });

  it('a resumed run is published again as a replacement: same id, new content, one copy', async () => {
    const url = await freshDb();
    const run = await copyRun('base', tmp, 'resumed');
    const samples = (await readdir(join(run, 'samples'))).sort();
    const last = join(run, 'samples', samples[samples.length - 1]!);
    const kept = await readFile(last, 'utf8');
    await rm(last);
    await editManifest(run, (m) => {
      m.status = 'incomplete';
      m.stopReason = 'interrupted (SIGINT)';
    });
    expectExit(await cli(['publish', run], url), 0);
    const [before] = await query<{ run_id: string; sample_count: number; status: string }>(
      url,
      'SELECT run_id, sample_count, status FROM vblk_bench.runs',
    );
    assert.equal(before!.status, 'incomplete');
    // The sample is back (as `--resume` would have measured it); the real resume then finds nothing missing and publishes.
    await writeFile(last, kept);
    const resumed = await cli(['run', '--resume', run, '--publish'], url);
    expectExit(resumed, 0);
    assert.match(resumed.stderr, new RegExp(`published to the database as run ${before!.run_id} \\(replaced\\)`));
    const after = await query<{ run_id: string; sample_count: number; status: string }>(
      url,
      'SELECT run_id, sample_count, status FROM vblk_bench.runs',
    );
    assert.deepEqual(after, [{ run_id: before!.run_id, sample_count: before!.sample_count + 1, status: 'complete' }]);
    const [samplesRow] = await query<{ n: string }>(url, 'SELECT count(*) AS n FROM vblk_bench.samples');
    assert.equal(Number(samplesRow!.n), samples.length);
  });

  it('a database that is down: run --publish keeps the run on disk and says in one line what was not published', async () => {
    const run = await copyRun('base', tmp, 'down');
    const down = `postgresql://bench:s3cr3t-pw@/vblk?host=${encodeURIComponent(join(tmp, 'no-server'))}`;
    const r = await cli(['run', '--resume', run, '--publish', '-q'], down);
    expectExit(r, 0);
    const lines = r.stderr.split('\n').filter((l) => /not published/.test(l));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /down: not published to the database \(the run is on disk\): .*cannot connect/);
    assert.ok(!r.stderr.includes('s3cr3t-pw'), r.stderr);
    const manifest = JSON.parse(await readFile(join(run, 'run.json'), 'utf8')) as { status: string };
    assert.equal(manifest.status, 'complete');
  });

  it('a merged run and its shards: all published, counted once (through the merged run)', async () => {
    const url = await freshDb();
    const dir = join(tmp, 'shards');
    const shardOn = await copyRun('base', dir, 'shard-on');
    const shardOff = await copyRun('base', dir, 'shard-off');
    for (const [shard, drop] of [
      [shardOn, 'ioeventfd-off'],
      [shardOff, 'ioeventfd-on'],
    ] as const) {
      for (const name of await readdir(join(shard, 'samples')))
        if (name.includes(drop)) await rm(join(shard, 'samples', name));
      await editManifest(shard, (m) => {
        m.runId = randomUUID();
      });
    }
    // Each shard lacks the other's cell, so each (and the merge) is not whole: exit 3, merged all the same.
    expectExit(await cli(['merge', shardOn, shardOff, '-o', join(dir, 'merged')], url), 3);
    const published = await cli(['publish', dir], url);
    expectExit(published, 0);
    assert.match(published.stderr, /publish: 3 inserted/);
    const counts = await rowCounts(url);
    assert.equal(counts.runs, 3);
    assert.equal(counts.run_sources, 2);
    const counted = await query<{ label: string }>(url, 'SELECT label FROM vblk_bench.effective_runs');
    assert.deepEqual(
      counted.map((r) => r.label),
      ['merged'],
    );
    const [series] = await query<{ n: string; cells: string }>(
      url,
      'SELECT sum(n) AS n, count(*) AS cells FROM vblk_bench.cell_iops_over_time',
    );
    const base = (await readdir(join(F, 'base', 'samples'))).length;
    assert.equal(Number(series!.n), base, 'every sample of base counted once');
    assert.equal(Number(series!.cells), 2);
    const listed = await publishedIds(url, 3); // the merged run is not whole (each shard lacks a cell)
    assert.deepEqual([...listed.keys()], ['merged']);
  });

  describe('--db gives what the files give', () => {
    let url = '';
    let ids = new Map<string, string>();
    let gateDir = '';
    before(async () => {
      url = await freshDb();
      gateDir = join(tmp, 'history');
      for (const n of GATE_RUNS) await copyRun(n, gateDir);
      expectExit(await cli(['publish', gateDir], url), 0);
      ids = await publishedIds(url);
    });

    it('gate --db --baseline-run: the same verdict and report as gate --baseline on the files', async () => {
      const args = ['--subject', 'qemu.binary', '--format', 'json'];
      const files = await cli(['gate', '--baseline', join(gateDir, 'base'), join(gateDir, 'throttled'), ...args], url);
      expectExit(files, 1);
      const db = await cli(
        ['gate', '--db', '--baseline-run', ids.get('base')!, join(gateDir, 'throttled'), ...args],
        url,
      );
      expectExit(db, 1);
      assert.deepEqual(JSON.parse(db.stdout), JSON.parse(files.stdout));
      const both = await cli(['gate', '--db', '--baseline-run', ids.get('base')!, ids.get('throttled')!, ...args], url);
      expectExit(both, 1);
      assert.deepEqual(JSON.parse(both.stdout), JSON.parse(files.stdout));
      const pass = await cli(['gate', '--db', '--baseline-run', ids.get('base')!, join(gateDir, 'same')], url);
      expectExit(pass, 0);
    });

    it('compare --db: the same rows as compare on the files', async () => {
      const files = await cli(['compare', join(gateDir, 'base'), join(gateDir, 'same'), '--format', 'json'], url);
      expectExit(files, 0);
      const db = await cli(['compare', '--db', ids.get('base')!, ids.get('same')!, '--format', 'json'], url);
      expectExit(db, 0);
      assert.deepEqual(JSON.parse(db.stdout), JSON.parse(files.stdout));
    });

    it('history --db and list --db: the same report and listing as the files', async () => {
      const files = await cli(['history', gateDir, '--profile', 'gate', '--format', 'json'], url);
      const db = await cli(['history', '--db', '--profile', 'gate', '--format', 'json'], url);
      assert.equal(db.exitCode, files.exitCode, show(db));
      assert.ok(!hasStackTrace(db.stderr), db.stderr);
      assert.deepEqual(JSON.parse(db.stdout), JSON.parse(files.stdout));
      // Change points name what the fingerprint says changed: the same fingerprint from the database's aggregates.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const runs = await readHistoryRuns(client, {
          profile: 'gate',
          metric: 'iops',
          observedKeys: Object.values(OBSERVED_FIELDS),
        });
        assert.equal(runs.length, GATE_RUNS.length);
        for (const run of runs)
          assert.deepEqual(
            fingerprintOf({ environment: run.environment, profile: run.profile, observed: run.observed }),
            fingerprintOf(await loadRun(join(gateDir, run.label))),
            run.label,
          );
      } finally {
        await client.end();
      }
      const last = await cli(['history', '--db', '--profile', 'gate', '--last', '2', '--format', 'json'], url);
      assert.equal((JSON.parse(last.stdout) as { runs: unknown[] }).runs.length, 2, show(last));

      const listFiles = JSON.parse((await cli(['list', gateDir, '--json'], url)).stdout) as { runs: object[] };
      const listDb = JSON.parse((await cli(['list', '--db', '--json'], url)).stdout) as { runs: object[] };
      const strip = (runs: object[]) =>
        runs.map((r) => {
          const { dir: _d, runId: _r, manifest, ...rest } = r as { dir: string; runId?: string; manifest: object };
          const { runId: _m, ...m } = manifest as { runId?: string };
          return { ...rest, manifest: m };
        });
      assert.deepEqual(strip(listDb.runs), strip(listFiles.runs));
    });

    it('the example Grafana dashboard: valid JSON whose every query runs against the view', async () => {
      const dashboard = JSON.parse(await readFile(join(REPO_ROOT, 'examples/grafana-dashboard.json'), 'utf8')) as {
        panels: { targets?: { rawSql?: string }[] }[];
        templating?: { list: { query?: string }[] };
      };
      const sqls = [
        ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.rawSql ?? '')),
        ...(dashboard.templating?.list ?? []).map((v) => v.query ?? ''),
      ].filter((s) => s.trim() !== '');
      assert.ok(sqls.length >= 2, 'the dashboard has queries');
      for (const sql of sqls) {
        // Grafana's macros and variables, as Grafana would expand them for the last ten years and profile gate.
        const expanded = sql
          .replace(/\$__timeFilter\(([^)]+)\)/g, "$1 BETWEEN now() - interval '10 years' AND now() + interval '1 day'")
          .replace(/\$__timeGroupAlias\(([^,)]+)[^)]*\)/g, '$1 AS time')
          .replace(/'?\$\{?profile\}?'?/g, "'gate'")
          .replace(/'?\$\{?cell\}?'?/g, "'backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=4'");
        const rows = await query(url, expanded);
        assert.ok(rows.length > 0, `no rows from: ${expanded}`);
      }
    });
  });

  it('bad connection settings: one line, exit 2, no stack trace, no password', async () => {
    const missing = await cli(['history', '--db', '--profile', 'gate'], undefined);
    expectExit(missing, 2);
    assert.deepEqual(missing.stderr.trim().split('\n'), [
      'error: no database: set VBLK_BENCH_DB to a PostgreSQL connection string, or give --db-file <file> (docs/sharing-results.md)',
    ]);
    const secret = 'hunter2-Secret';
    const wrong = `postgresql://nobody:${secret}@/no_such_db?host=${encodeURIComponent(server.socketDir)}`;
    for (const [args, url] of [
      [['list', '--db'], wrong],
      [['gate', '--db', '--baseline-run', 'latest:gate', join(F, 'base')], wrong],
      [['publish', join(F, 'base')], `postgresql://x:${secret}@[bad`],
      [['compare', '--db', randomUUID(), join(F, 'base')], `host=/nonexistent password=${secret}`],
    ] as const) {
      const r = await cli([...args], url);
      expectExit(r, 2);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, show(r));
      assert.match(lines[0]!, /^error: database \(VBLK_BENCH_DB\): /);
      assert.ok(!r.stderr.includes(secret), show(r));
    }
    const file = join(tmp, 'db-url');
    await writeFile(file, `${wrong}\n`);
    await chmod(file, 0o644);
    const loose = await cli(['list', '--db-file', file], undefined);
    expectExit(loose, 2);
    assert.match(loose.stderr, /--db-file .*db-url: mode 0644 lets others read the connection string/);
    assert.ok(!loose.stderr.includes(secret));
  });
});

it('the test server leaves nothing behind: no process, no directory', async () => {
  const server = await startPostgres();
  const dir = server.socketDir;
  assert.ok(processesMatching(dir).length > 0, 'the server runs from its directory');
  await server.stop();
  assert.deepEqual(await leftoverProcesses(dir), []);
  assert.equal(existsSync(dir), false);
});
