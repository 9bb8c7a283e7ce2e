/**
 * The run summary (src/store/run-summary.ts): compare and gate give the same
 * answer from summary.json as from the sample files; a summary that no
 * longer matches the directory (run.json rewritten, a sample added, removed
 * or touched, a damaged summary) is ignored, never trusted over the samples;
 * RunWriter.finish writes one.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, lstat, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRun, readManifest } from '../../../src/store/run-reader.js';
import { readFreshSummary, writeRunSummary } from '../../../src/store/run-summary.js';
import { listSampleDir, sampleFileNames, withoutInsight } from '../../../src/store/sample-files.js';
import { RunWriter } from '../../../src/store/run-writer.js';
import { SUMMARY_FILE } from '../../../src/store/layout.js';
import { loadResultSet } from '../../../src/fingerprint/result-set.js';
import { judgeResultSets } from '../../../src/gate/judge-result-sets.js';
import { compareSets } from '../../../src/compare/compare-sets.js';
import { GATE_DEFAULTS } from '../../../src/gate/defaults.js';
import { REPO_ROOT, runCli } from '../../helpers/cli.js';
import { withTempDir } from '../../helpers/temp.js';

const GATE = join(REPO_ROOT, 'test', 'fixtures', 'runs', 'gate');

async function copyRuns(dir: string, names: string[]): Promise<string[]> {
  const out = names.map((n) => join(dir, n));
  for (const n of names) await cp(join(GATE, n), join(dir, n), { recursive: true });
  return out;
}

async function isFresh(dir: string): Promise<boolean> {
  const { text } = await readManifest(dir);
  return (await readFreshSummary(dir, text, sampleFileNames(await listSampleDir(dir)))) !== null;
}

const settings = {
  metrics: [...GATE_DEFAULTS.metrics],
  alpha: GATE_DEFAULTS.alpha,
  correction: GATE_DEFAULTS.correction,
  subjects: ['qemu.binary'],
  allowEnvMismatch: false,
};

describe('run summary', () => {
  it('compare and gate judge the same from summaries as from the sample files (in process and through the CLI)', () =>
    withTempDir('vblk-summary', async (dir) => {
      const [base, throttled] = await copyRuns(dir, ['base', 'throttled']);
      const gateArgs = ['gate', '--baseline', base!, throttled!, '--subject', 'qemu.binary', '--format', 'json'];
      const compareArgs = ['compare', base!, throttled!, '--subject', 'qemu.binary', '--format', 'json'];
      const before = [await runCli(gateArgs), await runCli(compareArgs)];
      const [a0, b0] = [await loadResultSet(base!), await loadResultSet(throttled!)];
      const full = await loadRun(base!);
      assert.ok(
        full.samples.some((s) => s.insight !== undefined),
        'the fixture has insight, which the summary leaves out',
      );
      for (const d of [base!, throttled!]) await writeRunSummary(d);
      assert.ok((await isFresh(base!)) && (await isFresh(throttled!)));
      const [a1, b1] = [await loadResultSet(base!), await loadResultSet(throttled!)];
      assert.deepEqual(a1, a0);
      assert.deepEqual(b1, b0);
      assert.deepEqual(a1.samples, full.samples.map(withoutInsight));
      assert.deepEqual(judgeResultSets(a1, b1, settings), judgeResultSets(a0, b0, settings));
      const opts = { metric: 'iops', alpha: 0.05, seed: 1 };
      assert.deepEqual(compareSets(a1.samples, b1.samples, opts), compareSets(a0.samples, b0.samples, opts));
      const after = [await runCli(gateArgs), await runCli(compareArgs)];
      assert.equal(after[0]!.exitCode, 1, 'the throttled run is a regression');
      for (const i of [0, 1]) {
        assert.equal(after[i]!.exitCode, before[i]!.exitCode);
        assert.equal(after[i]!.stdout, before[i]!.stdout);
      }
    }));

  it('a fresh summary is what the lean reader uses; any change to the directory makes it stale', () =>
    withTempDir('vblk-summary', async (dir) => {
      const [run] = await copyRuns(dir, ['small']);
      const summaryFile = join(run!, SUMMARY_FILE);
      const samples = join(run!, 'samples');
      // Samples older than the summary by more than a clock tick (the racy case is the next test).
      const hourAgo = new Date(Date.now() - 3600_000);
      for (const name of await readdir(samples)) await utimes(join(samples, name), hourAgo, hourAgo);
      const real = (await loadRun(run!, { insight: false })).samples[0]!.metrics.iops!.value;
      const plant = async () => {
        await writeRunSummary(run!);
        const s = JSON.parse(await readFile(summaryFile, 'utf8'));
        s.samples[0].sample.metrics.iops.value = 12345;
        await writeFile(summaryFile, JSON.stringify(s));
      };
      const iops = async () => (await loadRun(run!, { insight: false })).samples[0]!.metrics.iops!.value;
      await plant();
      assert.equal(await iops(), 12345, 'a fresh summary is read instead of the sample files');
      assert.equal((await loadRun(run!)).samples[0]!.metrics.iops!.value, real, 'the full reader never uses it');

      const first = join(samples, (await readdir(samples)).sort()[0]!);
      await utimes(first, new Date(), new Date(Date.now() + 5000));
      assert.equal(await iops(), real, 'a sample touched since');

      await plant();
      await writeFile(join(run!, 'run.json'), (await readFile(join(run!, 'run.json'), 'utf8')) + ' ');
      assert.equal(await iops(), real, 'run.json rewritten since (a resume)');

      await plant();
      const last = (await readdir(samples)).sort().at(-1)!;
      await cp(join(samples, last), join(samples, `9999-${last.slice(5)}`));
      assert.equal(await iops(), real, 'a sample file added since');
      await rm(join(samples, `9999-${last.slice(5)}`));

      await plant();
      await rm(join(samples, last));
      assert.equal(await iops(), real, 'a sample file removed since');

      for (const damage of ['{"kind": "vblk-bench-run-summary"', '[]', '{"kind":5}']) {
        await writeFile(summaryFile, damage);
        assert.equal(await iops(), real, `a damaged summary (${damage}) is ignored`);
      }
    }));

  it('a sample rewritten in place, same size, in the clock tick the summary was written in: read and compared', () =>
    withTempDir('vblk-summary', async (dir) => {
      const [run] = await copyRuns(dir, ['small']);
      const samples = join(run!, 'samples');
      const first = join(samples, (await readdir(samples)).sort()[0]!);
      const summaryFile = join(run!, SUMMARY_FILE);
      await writeRunSummary(run!);
      // The summary as if written in the same tick as the file's present state (its recorded mtime is the file's).
      const claim = async () => {
        const summary = JSON.parse(await readFile(summaryFile, 'utf8'));
        summary.files[0].mtimeMs = (await lstat(first)).mtimeMs;
        await writeFile(summaryFile, JSON.stringify(summary));
      };
      const text = await readFile(first, 'utf8');
      const value = String(JSON.parse(text).metrics.iops.value);
      const changed = value.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
      await writeFile(first, text.replace(value, changed));
      await claim();
      assert.equal(await isFresh(run!), false, 'size and mtime as recorded, the content is not');
      await writeFile(first, text);
      await claim();
      assert.equal(await isFresh(run!), true, 'the content as recorded');
    }));

  it('RunWriter.finish writes a fresh summary of what the directory holds', () =>
    withTempDir('vblk-summary', async (dir) => {
      const source = await loadRun(join(GATE, 'small'));
      const out = join(dir, 'run');
      const w = await RunWriter.create(out, { ...source.manifest, plannedSamples: source.samples.length });
      await w.writeProfile(source.profile);
      await w.writePlan(source.plan);
      await w.writeEnvironment(source.environment);
      for (const s of source.samples) {
        const { schemaVersion: _v, rawFioPath: _r, ...draft } = s;
        await w.writeSample(draft);
      }
      assert.equal(await isFresh(out), false, 'none while the run is written');
      await w.finish({ complete: true });
      assert.ok(await isFresh(out));
      const summary = JSON.parse(await readFile(join(out, SUMMARY_FILE), 'utf8'));
      assert.equal(summary.samples.length, source.samples.length);
      assert.ok(summary.samples.every((s: { sample: object }) => !('insight' in s.sample)));
    }));
});
