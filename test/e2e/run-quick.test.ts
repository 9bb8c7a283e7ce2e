/**
 * End to end under TCG: profiles/quick.yaml boots real guests (ioeventfd on
 * and off), runs real fio over real SSH, stores every sample and prints the
 * table — and leaves no QEMU behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import { leftoverProcesses } from '../helpers/processes.js';
import { loadRun } from '../../src/store/run-reader.js';

test('vblk-bench run profiles/quick.yaml: real guests, IOPS in every cell, complete results, no orphans', async () => {
  const out = await mkdtemp(join(tmpdir(), 'vblk-e2e-quick-'));
  const r = await runCli(['run', 'profiles/quick.yaml', '--out', out], { timeoutMs: 600_000 });
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);

  // The table: one row per configuration, one column per iodepth, and the loud TCG notice.
  assert.match(r.stdout, /iodepth=1/);
  assert.match(r.stdout, /iodepth=4/);
  assert.match(r.stdout, /ioeventfd=on/);
  assert.match(r.stdout, /ioeventfd=off/);
  assert.match(r.stdout, /not virtio performance/);

  const [dirName] = await readdir(out);
  const run = await loadRun(join(out, dirName!));
  assert.equal(run.manifest.status, 'complete');
  assert.equal(run.manifest.accel, 'tcg');
  assert.equal(run.samples.length, 4);
  for (const s of run.samples) {
    assert.equal(s.status, 'ok', `${s.cellKey}: ${s.reason}`);
    assert.ok(s.metrics.iops!.value > 0, `${s.cellKey} IOPS`);
    assert.equal(s.accel, 'tcg');
    assert.equal(s.observed.ioeventfd, s.cell.ioeventfd, 'QMP read-back matches the plan');
    assert.equal(s.observed.scheduler, 'none');
    const raw = JSON.parse(await readFile(join(run.dir, s.rawFioPath!), 'utf8'));
    assert.ok(Array.isArray(raw.jobs), 'raw fio JSON kept');
  }
  assert.deepEqual([...new Set(run.samples.map((s) => s.bootId))].length, 2, 'one boot per QEMU configuration');
  const env = run.environment as { accel: string; qemu: { version: string }; guest: { imageHash: string } };
  assert.equal(env.accel, 'tcg');
  assert.match(env.qemu.version, /^\d+\.\d+/);
  assert.match(env.guest.imageHash, /^[0-9a-f]{16,}$/);

  assert.deepEqual(await leftoverProcesses(out), [], 'no QEMU left running');
});
