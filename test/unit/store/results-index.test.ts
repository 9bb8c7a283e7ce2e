/**
 * The results index (src/store/results-index.ts, history digest in
 * src/history/run-digest.ts) on small trees of real recorded runs: it lives
 * outside the results, answers what reading every run answers, and is read
 * again exactly for runs added, deleted, resumed (run.json rewritten),
 * merged into (samples added), or still in progress (.lock) — never cached
 * while in progress; a damaged index is rebuilt; old directories without a
 * summary are read once, with progress.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openResultsIndex, type IndexProgress } from '../../../src/store/results-index.js';
import { HISTORY_DIGEST } from '../../../src/history/run-digest.js';
import { buildHistory, buildHistoryOf } from '../../../src/history/history.js';
import { loadRun } from '../../../src/store/run-reader.js';
import { overviewOf } from '../../../src/store/run-overview.js';
import { writeRunSummary } from '../../../src/store/run-summary.js';
import { writeJsonAtomic } from '../../../src/util/atomic-file.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { withTempDir } from '../../helpers/temp.js';

const GATE = join(REPO_ROOT, 'test', 'fixtures', 'runs', 'gate');

/** Every file under `dir`, relative, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out.push(join(e.parentPath, e.name).slice(dir.length + 1));
  return out.sort();
}

async function tree(dir: string): Promise<{ results: string; cache: string }> {
  const results = join(dir, 'results');
  await mkdir(results);
  for (const name of ['base', 'same', 'small', 'throttled'])
    await cp(join(GATE, name), join(results, name), { recursive: true });
  // Files beside the runs (an import map, notes) are not runs: stat of <file>/run.json is ENOTDIR, not ENOENT.
  await writeFile(join(results, 'map.yaml'), 'not a run\n');
  return { results, cache: join(dir, 'cache') };
}

async function open(results: string, cache: string | null) {
  const progress: IndexProgress[] = [];
  const index = await openResultsIndex(results, {
    digest: HISTORY_DIGEST,
    indexRoot: cache,
    onProgress: (p) => progress.push(p),
  });
  const read = progress.at(-1)?.total ?? 0;
  return { index, read, progress };
}

const opts = { profile: 'gate', metric: 'iops', minSegment: 1 };

describe('results index', () => {
  it('answers what reading every run answers, and writes nothing into the results', () =>
    withTempDir('vblk-index', async (dir) => {
      const { results, cache } = await tree(dir);
      const before = await filesUnder(results);
      const first = await open(results, cache);
      assert.equal(first.read, 4, 'every run read once');
      assert.deepEqual(
        first.progress.map((p) => p.done),
        [0, 1, 2, 3, 4],
      );
      const second = await open(results, cache);
      assert.equal(second.read, 0, 'nothing read again');
      assert.deepEqual(await filesUnder(results), before, 'the results directories are untouched');
      assert.ok((await filesUnder(cache)).some((f) => f.endsWith('catalog.json')));

      const stored = await Promise.all(second.index.runs.map((r) => loadRun(r.dir)));
      assert.deepEqual(
        second.index.runs.map((r) => r.overview),
        stored.map(overviewOf).map((o) => ({ ...o, manifest: o.manifest })),
      );
      const digests = await second.index.digests(second.index.runs, 'iops');
      const sources = second.index.runs.map((r, k) => ({
        dir: r.dir,
        manifest: r.overview!.manifest,
        digest: digests[k]!,
      }));
      assert.deepEqual(buildHistoryOf(sources, opts), buildHistory(stored, opts));
      const direct = await open(results, null);
      assert.deepEqual(direct.index.runs, second.index.runs, '--no-index gives the same runs');
    }));

  it('reads again exactly the runs added, deleted, resumed, merged into, or in progress', () =>
    withTempDir('vblk-index', async (dir) => {
      const { results, cache } = await tree(dir);
      await open(results, cache);
      const names = async () => (await open(results, cache)).index.runs.map((r) => r.name).sort();

      await cp(join(GATE, 'partial'), join(results, 'partial'), { recursive: true });
      assert.equal((await open(results, cache)).read, 1, 'a run added');
      assert.deepEqual(await names(), ['base', 'partial', 'same', 'small', 'throttled']);

      const storedRuns = async () => {
        const file = (await filesUnder(cache)).find((f) => f.endsWith('/runs.json'))!;
        return Object.keys(JSON.parse(await readFile(join(cache, file), 'utf8')).runs).sort();
      };
      assert.deepEqual(await storedRuns(), ['base', 'partial', 'same', 'small', 'throttled']);
      await rm(join(results, 'same'), { recursive: true });
      const afterDelete = await open(results, cache);
      assert.equal(afterDelete.read, 0, 'a deletion (retention) reads nothing');
      assert.deepEqual(await names(), ['base', 'partial', 'small', 'throttled']);
      assert.deepEqual(await storedRuns(), ['base', 'partial', 'small', 'throttled'], 'its digest dropped');

      // A resume rewrites run.json (status incomplete, then complete again): the run is read again.
      const runFile = join(results, 'small', 'run.json');
      const manifest = JSON.parse(await readFile(runFile, 'utf8'));
      await writeJsonAtomic(runFile, { ...manifest, status: 'incomplete', stopReason: 'interrupted' });
      const resumed = await open(results, cache);
      assert.equal(resumed.read, 1, 'a rewritten run.json');
      assert.equal(resumed.index.runs.find((r) => r.name === 'small')!.overview!.manifest.status, 'incomplete');

      // A merge or resume adds sample files (by rename): samples/ changes, the run is read again.
      const samples = join(results, 'base', 'samples');
      const extra = (await readdir(samples)).sort()[0]!;
      await writeJsonAtomic(
        join(samples, `0099-${extra.slice(5)}`),
        JSON.parse(await readFile(join(samples, extra), 'utf8')),
      );
      const merged = await open(results, cache);
      assert.equal(merged.read, 1, 'a sample added');
      assert.ok(
        merged.index.runs
          .find((r) => r.name === 'base')!
          .overview!.diagnostics.some((d) => d.kind === 'DuplicateSample'),
      );

      // Its summary written at the end: read again (from the summary).
      await writeRunSummary(join(results, 'base'));
      assert.equal((await open(results, cache)).read, 1, 'a summary written');
      assert.equal((await open(results, cache)).read, 0);

      await writeFile(join(results, 'throttled', '.lock'), '{}');
      for (let i = 0; i < 2; i++) {
        const live = await open(results, cache);
        assert.equal(live.read, 1, 'a run in progress is read every time');
        assert.equal(live.index.runs.find((r) => r.name === 'throttled')!.inProgress, true);
      }
      const catalog = (await filesUnder(cache)).find((f) => f.endsWith('catalog.json'))!;
      assert.ok(!JSON.parse(await readFile(join(cache, catalog), 'utf8')).runs.throttled, 'never cached in progress');
      await rm(join(results, 'throttled', '.lock'));
      assert.equal((await open(results, cache)).read, 1);
      assert.equal((await open(results, cache)).read, 0);

      await writeFile(join(cache, catalog), '{"kind": "vblk-bench-results-index", "runs": 5}');
      assert.equal((await open(results, cache)).read, 4, 'a damaged catalog: everything read again');
      const expected = buildHistory(
        await Promise.all(
          (await readdir(results)).filter((d) => d !== 'map.yaml').map((d) => loadRun(join(results, d))),
        ),
        opts,
      );
      const digestFiles = (await filesUnder(cache)).filter((f) => f.includes('history/'));
      assert.ok(digestFiles.some((f) => f.endsWith('/metric-iops.json')));
      for (const damage of ['{"kind": 1}', null]) {
        for (const f of digestFiles)
          if (damage === null) await rm(join(cache, f));
          else await writeFile(join(cache, f), damage);
        const again = await open(results, cache);
        const digests = await again.index.digests(again.index.runs, 'iops');
        const rebuilt = again.index.runs.map((r, k) => ({
          dir: r.dir,
          manifest: r.overview!.manifest,
          digest: digests[k]!,
        }));
        assert.deepEqual(
          buildHistoryOf(rebuilt, opts),
          expected,
          'damaged or missing digest files: rebuilt from the runs',
        );
        assert.deepEqual(
          (await filesUnder(cache)).filter((f) => f.includes('history/')),
          digestFiles,
          'and stored again',
        );
      }
    }));

  it('through the CLI: list and history use the index in $VBLK_BENCH_CACHE; progress on the first read only', () =>
    withTempDir('vblk-index', async (dir) => {
      const { results, cache } = await tree(dir);
      const env = { VBLK_BENCH_CACHE: cache };
      const first = await runCli(['list', results], { env });
      assert.equal(first.exitCode, 0, first.stderr);
      assert.match(first.stderr, /results index: read 4 new or changed run\(s\)/);
      const second = await runCli(['list', results], { env });
      assert.equal(second.stdout, first.stdout);
      assert.doesNotMatch(second.stderr, /results index/);
      const history = await runCli(['history', results, '--profile', 'gate', '--format', 'json'], { env });
      const direct = await runCli(['history', results, '--profile', 'gate', '--format', 'json', '--no-index'], { env });
      assert.equal(history.exitCode, 0, history.stderr);
      assert.equal(history.stdout, direct.stdout);
      // A root through a file is bad input, one line, not an internal error.
      const throughFile = await runCli(['list', join(results, 'map.yaml', 'x')], { env });
      assert.equal(throughFile.exitCode, 2);
      assert.equal(throughFile.stderr.trim(), `error: ${join(results, 'map.yaml', 'x')}: not a directory`);
    }));
});
