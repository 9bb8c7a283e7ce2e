/**
 * What needs no server: run ids (derived ones are stable and distinct), the
 * manifest schema with and without them, where the connection string comes
 * from, that no message carries the password, and what the test helper says
 * when PostgreSQL 15 is not installed. The server itself: test/e2e/db-publish.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { uuidV5, UUID_PATTERN } from '../../../src/util/uuid.js';
import { derivedRunId, runIdOf } from '../../../src/store/run-id.js';
import { RunManifestSchema } from '../../../src/model/schemas/manifest.js';
import { dbSource, redact } from '../../../src/store/pg/connection.js';
import { isRunRef } from '../../../src/store/pg/read-runs.js';
import { InputError } from '../../../src/model/errors.js';
import { missingPostgres, startPostgres } from '../../helpers/postgres.js';
import { withTempDir } from '../../helpers/temp.js';
import { loadRun } from '../../../src/store/run-reader.js';
import { repoRoot } from '../../../src/util/paths.js';

describe('run ids', () => {
  it('uuidV5 matches the RFC 9562 example (DNS namespace, www.example.com)', () => {
    assert.equal(
      uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'),
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('a run without runId gets a derived id: the same for the same content, another for another start or plan', () => {
    const m = { profileName: 'nightly', startedAt: '2026-11-26T05:31:16.297Z' };
    const id = derivedRunId(m, { shard: '1/2' });
    assert.match(id, UUID_PATTERN);
    assert.equal(derivedRunId({ ...m }, { shard: '1/2' }), id);
    assert.notEqual(derivedRunId(m, { shard: '2/2' }), id, 'shards started in the same millisecond differ by plan');
    assert.notEqual(derivedRunId({ ...m, startedAt: '2026-11-26T05:31:16.298Z' }, { shard: '1/2' }), id);
    assert.equal(
      runIdOf({ manifest: { ...m, runId: '0b7c3d1e-0000-4000-8000-000000000001' }, plan: {} }),
      '0b7c3d1e-0000-4000-8000-000000000001',
    );
  });

  it('a committed fixture without runId still reads, with its derived id; a bad runId is refused', async () => {
    const run = await loadRun(join(repoRoot(), 'test/fixtures/runs/gate/base'));
    assert.equal(run.manifest.runId, undefined);
    assert.equal(runIdOf(run), derivedRunId(run.manifest, run.plan));
    const bad = RunManifestSchema.safeParse({ ...run.manifest, runId: 'not-a-uuid' });
    assert.equal(bad.success, false);
    assert.ok(RunManifestSchema.safeParse({ ...run.manifest, runId: runIdOf(run), mergedFrom: [] }).success);
  });

  it('a run reference is a UUID or latest:<profile>', () => {
    assert.ok(isRunRef('81a256ba-bb68-5343-9825-885dc336cd80'));
    assert.ok(isRunRef('latest:nightly'));
    assert.ok(!isRunRef('latest:'));
    assert.ok(!isRunRef('results/nightly-20261126T053116Z'));
  });
});

describe('the connection string', () => {
  it('comes from --db-file first, else VBLK_BENCH_DB; neither is one line naming both', async () => {
    assert.deepEqual(await dbSource({}, { VBLK_BENCH_DB: ' postgresql:///x ' }), {
      url: 'postgresql:///x',
      from: 'VBLK_BENCH_DB',
    });
    await assert.rejects(dbSource({}, {}), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.match(err.lines.join('\n'), /^no database: set VBLK_BENCH_DB .* or give --db-file <file>/);
      return true;
    });
    await withTempDir('vblk-dbfile', async (dir) => {
      const file = join(dir, 'db');
      await writeFile(file, '# the shared store\n\npostgresql://u:pw@db/vblk\n', { mode: 0o600 });
      assert.deepEqual(await dbSource({ dbFile: file }, { VBLK_BENCH_DB: 'postgresql:///other' }), {
        url: 'postgresql://u:pw@db/vblk',
        from: `--db-file ${file}`,
      });
      await chmod(file, 0o640);
      await assert.rejects(dbSource({ dbFile: file }, {}), /mode 0640 lets others read the connection string/);
      await assert.rejects(dbSource({ dbFile: dir }, {}), /not a regular file/);
      await assert.rejects(dbSource({ dbFile: join(dir, 'none') }, {}), /cannot open \(ENOENT\)/);
    });
  });

  it('messages never carry the string or its password', () => {
    const url = 'postgresql://bench:p%40ss-w0rd@db.example.org/vblk';
    assert.equal(
      redact(
        'password authentication failed for user "bench" p@ss-w0rd; postgresql://bench:p%40ss-w0rd@db.example.org/vblk',
        url,
      ),
      'password authentication failed for user "bench" ***; ***',
    );
    assert.equal(redact('bad: host=x password=hunter2 dbname=y', 'host=x password=hunter2 dbname=y'), 'bad: ***');
    assert.equal(redact('near password=hunter2', 'garbage'), 'near password=***');
  });
});

describe('the test PostgreSQL helper', () => {
  it('says exactly which server binaries are missing when postgresql-15 is not installed', async () => {
    const expected =
      'PostgreSQL 15 server binaries not found: /nonexistent/pg15/initdb, /nonexistent/pg15/postgres (install the Debian package postgresql-15 without its main cluster: run scripts/setup-test.sh as root)';
    assert.equal(missingPostgres('/nonexistent/pg15'), expected);
    await assert.rejects(startPostgres('/nonexistent/pg15'), { message: expected });
    assert.equal(missingPostgres(), null, 'postgresql-15 is installed here (.ci/run installs it)');
  });
});
