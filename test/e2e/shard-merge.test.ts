/**
 * `run --shard 1/2` and `2/2` of profiles/quick.yaml (two real TCG runs through
 * a pipe, as cron and CI see them), then `merge`: the merged cell set is the
 * unsharded plan's, and the non-TTY progress is plain timestamped lines, one
 * per cell with its IOPS, without escape codes.
 *
 * Each shard runs as examples/github-actions.yml runs it on its own runner: a
 * cache of its own, into which the guest exported once is imported
 * (`guest import --expect-hash`), and a profile that pins that guest
 * (`guest.image_hash`) — so both shards boot the same guest and merge.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, hasStackTrace, REPO_ROOT } from '../helpers/cli.js';
import { leftoverProcesses } from '../helpers/processes.js';
import { FIXTURE_RUN } from '../helpers/fixture-run.js';
import { loadRun } from '../../src/store/run-reader.js';
import { loadProfile } from '../../src/profile/load.js';
import { makePlan } from '../../src/plan/plan.js';
import { ensureGuestImage } from '../../src/guest-image/guest-image.js';

test('run --shard 1/2 + 2/2 on two "runners" sharing one pinned guest, merge: the unsharded cell set; plain progress lines without escape codes', async () => {
  const work = await mkdtemp(join(tmpdir(), 'vblk-e2e-shard-'));
  const out = join(work, 'results');
  // The pin: one export, its content hash in the profile.
  const image = await ensureGuestImage({ repoRoot: REPO_ROOT, build: true });
  const pin = image.contentHash.slice(0, 16);
  const archive = join(work, `vblk-guest-${pin}.tar`);
  const ex = await runCli(['guest', 'export', archive]);
  assert.equal(ex.exitCode, 0, ex.stderr);
  const profile = join(work, 'quick-pinned.yaml');
  await writeFile(
    profile,
    `${await readFile(join(REPO_ROOT, 'profiles', 'quick.yaml'), 'utf8')}guest: {kind: builtin, image_hash: ${pin}}\n`,
  );

  const shards = [];
  for (const shard of ['1/2', '2/2']) {
    const runner = { VBLK_BENCH_CACHE: join(work, `runner-${shard[0]}-cache`) };
    const im = await runCli(['guest', 'import', archive, '--expect-hash', pin], { env: runner });
    assert.equal(im.exitCode, 0, im.stderr);
    const r = await runCli(['run', profile, '--shard', shard, '--out', out], { timeoutMs: 300_000, env: runner });
    assert.equal(r.exitCode, 0, `shard ${shard}: exit ${r.exitCode}\n${r.stderr}`);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    // Not a TTY: nothing but plain lines, each timestamped; one line per cell with its IOPS, elapsed and ETA.
    assert.ok(!/\x1b/.test(r.stderr + r.stdout), 'no escape codes through a pipe');
    const lines = r.stderr.trim().split('\n');
    for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /, line);
    const cellLines = lines.filter((l) => /\[\d+\/\d+\] /.test(l));
    assert.equal(cellLines.length, 2, r.stderr);
    for (const l of cellLines)
      assert.match(
        l,
        /\[\d\/2\] backend=virtio-blk,ioeventfd=(on|off),scheduler=none,iodepth=(1|4) r0: [\d.]+K? IOPS · \S+ elapsed · ETA \S+$/,
      );
    shards.push(/results: (\S+)/.exec(r.stdout)?.[1]!);
  }
  for (const dir of shards) {
    const guest = (await loadRun(dir)).environment.guest as { imageHash: string; packages: Record<string, string> };
    assert.equal(guest.imageHash, image.contentHash, 'each runner booted the pinned guest');
    assert.equal(guest.packages.kernel, image.manifest.kernelPackage.version);
  }
  assert.equal((await readdir(out)).length, 2);
  assert.match(shards[0]!, /quick-shard1of2-/);

  const mergedDir = join(out, 'merged');
  const m = await runCli(['merge', ...shards, '-o', mergedDir]);
  assert.equal(m.exitCode, 0, m.stderr);
  const merged = await loadRun(mergedDir);
  const plan = makePlan(await loadProfile(join(REPO_ROOT, 'profiles', 'quick.yaml')), 'tcg');
  const planned = plan.groups.flatMap((g) => g.cells.map((c) => c.key)).sort();
  assert.deepEqual([...new Set(merged.samples.map((s) => s.cellKey))].sort(), planned);
  assert.equal(merged.samples.length, plan.sampleCount);
  assert.equal(merged.manifest.status, 'complete');
  assert.equal(new Set(merged.samples.map((s) => s.bootId)).size, 2, 'boot ids stay distinct across shards');
  for (const s of merged.samples) assert.equal(s.status, 'ok');
  const report = await runCli(['report', mergedDir, '-f', 'markdown']);
  assert.equal(report.exitCode, 0, report.stderr);

  // The same shard twice, or a run with other profile settings, is refused.
  const twice = await runCli(['merge', shards[0]!, shards[0]!, '-o', join(out, 'twice')]);
  assert.equal(twice.exitCode, 2);
  assert.match(twice.stderr, /is in both/);
  const other = await runCli(['merge', shards[0]!, FIXTURE_RUN, '-o', join(out, 'other')]);
  assert.equal(other.exitCode, 2);
  assert.match(other.stderr, /differs from .*profile\.fio\.runtime: 3 → 2/);

  assert.deepEqual(await leftoverProcesses(out), [], 'no QEMU left running');
});
