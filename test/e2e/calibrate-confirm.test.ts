/**
 * The commands that measure on their own, for real under TCG:
 * - `calibrate`: the profile's first QEMU configuration as A/A (two arms,
 *   interleaved), the noise floor and the calibration file;
 * - `gate --confirm`: a recorded regression (test/fixtures/runs/gate:
 *   confirm-base vs confirm-throttled) is re-measured — only the regressed
 *   cell, with the current run's profile — and fails only when the re-run
 *   regresses too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REPO_ROOT, runCli, hasStackTrace } from '../helpers/cli.js';
import { loadRun } from '../../src/store/run-reader.js';
import { alignRunEnvironment, machineEnvironment, scrambleRunEnvironment } from '../helpers/fixture-environment.js';

const F = 'test/fixtures/runs/gate';

test('calibrate: A/A arms interleaved, noise per cell and metric, a file the gate reads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-e2e-cal-'));
  const profile = join(dir, 'cal.yaml');
  await writeFile(
    profile,
    'name: cal\nfio:\n  runtime: 1s\n  ramp_time: 0s\nmatrix:\n  ioeventfd: [off, on]\n  iodepth: [1]\n',
  );
  const file = join(dir, 'calibration.json');
  const r = await runCli(
    [
      'calibrate',
      profile,
      '--repetitions',
      '3',
      '--out',
      join(dir, 'results'),
      '-o',
      file,
      '--simulations',
      '200',
      '--wait-lock',
      '900',
    ],
    {
      timeoutMs: 1_200_000,
    },
  );
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  assert.match(r.stdout, /noise floor \(A\/A: aa-a vs aa-b, both backend=virtio-blk\)/);

  const cal = JSON.parse(await readFile(file, 'utf8'));
  assert.equal(cal.kind, 'vblk-bench-calibration');
  assert.deepEqual(
    cal.cells.map((c: { metric: string }) => c.metric),
    ['iops', 'clat_p99_ns'],
  );
  for (const c of cal.cells) {
    assert.equal(
      c.cellKey,
      'backend=virtio-blk,ioeventfd=off,scheduler=none,iodepth=1',
      'the first group: ioeventfd=off, pinned',
    );
    assert.deepEqual(c.n, [3, 3]);
    assert.equal(c.residuals.length, 6);
    assert.ok(c.cv >= 0);
  }
  const run = await loadRun(cal.runDir);
  const order = [...run.samples].sort((a, b) => a.startedAt.localeCompare(b.startedAt)).map((s) => s.cell.backend);
  assert.deepEqual(order, ['aa-a', 'aa-b', 'aa-a', 'aa-b', 'aa-a', 'aa-b'], 'arms interleaved');
  assert.ok(run.samples.every((s) => s.cell.ioeventfd === 'off'));
});

/**
 * Copies of the recorded confirm runs, adjusted to this machine: run.json names
 * this checkout's profile (fixtures record absolute paths), and every machine
 * field of the environment is aligned to what a run here records
 * (test/helpers/fixture-environment.ts) — the fixtures were measured on another
 * host with another guest, and the gate would rightly refuse that environment
 * difference instead of judging the re-run. `scrambled` first sets every one of
 * those fields to a wrong value: the re-run, recorded by the real CLI, then
 * shows whether alignment missed any.
 */
async function confirmCopies(
  dir: string,
  variant: 'as recorded' | 'scrambled',
): Promise<{ baseline: string; current: string }> {
  const copyRun = async (name: string, profile: string): Promise<string> => {
    const copy = join(dir, name);
    await cp(join(REPO_ROOT, F, name), copy, { recursive: true });
    if (variant === 'scrambled') await scrambleRunEnvironment(copy);
    await alignRunEnvironment(copy, await machineEnvironment(join(REPO_ROOT, F, profile)));
    return copy;
  };
  const baseline = await copyRun('confirm-base', 'confirm.yaml');
  const current = await copyRun('confirm-throttled', 'confirm-throttled.yaml');
  const manifestPath = join(current, 'run.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  manifest.profilePath = resolve(REPO_ROOT, F, 'confirm-throttled.yaml');
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  return { baseline, current };
}

for (const variant of ['as recorded', 'scrambled'] as const) {
  test(`gate --confirm re-runs only the regressed cell and fails because the re-run regresses too (fixture environment ${variant}, then aligned)`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vblk-e2e-confirm-'));
    const { baseline, current } = await confirmCopies(dir, variant);
    const out = join(dir, 'results');
    const junit = join(dir, 'gate.xml');
    const r = await runCli(
      [
        'gate',
        '--baseline',
        baseline,
        current,
        '--subject',
        'qemu.binary',
        '--confirm',
        '--out',
        out,
        '--wait-lock',
        '900',
        '--junit',
        junit,
      ],
      { timeoutMs: 1_200_000 },
    );
    assert.equal(r.exitCode, 1, `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.doesNotMatch(`${r.stdout}\n${r.stderr}`, /environment differs/);
    assert.match(
      r.stderr,
      /confirm: re-running 1 regressed cell\(s\) of confirm-throttled: backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=4/,
    );
    assert.match(r.stdout, /REGRESSION .*iops/);
    assert.match(await readFile(junit, 'utf8'), /confirmed by a re-run/);

    const [name, ...others] = await readdir(out);
    assert.deepEqual(others, [], 'one re-run');
    assert.match(name!, /^confirm-\d{8}T\d{6}Z$/, 'stored like any run, beside the others');
    const rerun = await loadRun(join(out, name!));
    assert.equal(
      rerun.samples.length,
      6,
      "the re-run measured only the regressed cell, with the profile's 6 repetitions",
    );
    assert.deepEqual((rerun.plan as { cellFilter: string[] }).cellFilter, [
      'backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=4',
    ]);
    await rm(dir, { recursive: true, force: true });
  });
}
