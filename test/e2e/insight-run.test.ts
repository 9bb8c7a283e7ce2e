/**
 * End to end under TCG through the real CLI: a run with ioeventfd on and off
 * stores, for every cell, host CPU by role, guest IRQ deltas, blockstats that
 * agree with fio, KVM exits marked not available (with the reason) and the
 * configuration confirmed; `run` prints the breakdown and `explain` re-derives
 * it from the stored samples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import { join } from 'node:path';
import { assertNothingLeft, fastProfile, removeTemp, runDirIn, tempDir, writeProfile } from '../helpers/faults.js';
import { loadRun } from '../../src/store/run-reader.js';

test('run with ioeventfd on/off: insight stored per sample, breakdown printed, explain re-renders it', async () => {
  const dir = await tempDir('insight-run');
  const out = join(dir, 'results');
  const profile = await writeProfile(
    dir,
    'insight',
    fastProfile('insight', { fio: 'runtime: 2s, ramp_time: 1s', matrix: 'ioeventfd: [on, off]\n  iodepth: [1, 4]' }),
  );
  const r = await runCli(['run', profile, '--out', out], { timeoutMs: 240_000 });
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);

  const runDir = runDirIn(out)!;
  const run = await loadRun(runDir);
  assert.equal(run.samples.length, 4);
  for (const s of run.samples) {
    assert.equal(s.status, 'ok', `${s.cellKey}: ${s.reason}`);
    const i = s.insight!;
    assert.ok(i.window.available, `${s.cellKey} window: ${JSON.stringify(i.window)}`);
    assert.ok(i.window.ios! > 0 && i.window.guestIos! > 0);
    assert.equal(i.window.iosSource, 'host-requests');
    // The default sampling: counters read before fio starts and after it ends (docs/insight.md).
    assert.equal(i.window.placement, 'around-fio');
    assert.equal(i.window.ioStartMs, null);

    assert.ok(i.hostCpu.available, JSON.stringify(i.hostCpu));
    const role = (name: string) => (i.hostCpu.available ? i.hostCpu.roles.find((x) => x.role === name) : undefined);
    assert.ok(role('vcpu')!.usPerIo! > 0, 'vCPU CPU per I/O');
    assert.ok(role('main-loop')!.usPerIo! > 0, 'main-loop CPU per I/O');
    assert.ok(i.hostCpu.iopsPerCoreSecond! > 0);

    assert.ok(i.guest.available, JSON.stringify(i.guest));
    assert.ok(i.guest.irqs > 0, 'guest virtio-blk IRQ deltas');
    assert.ok(i.guest.interrupts.every((l) => /^virtio\d+-req\.\d+$/.test(l.name)));

    assert.ok(i.blockstats.available, JSON.stringify(i.blockstats));
    assert.equal(i.blockstats.mismatch, null);
    // The same requests on both sides: both intervals hold all of fio's run.
    assert.ok(
      Math.abs(i.blockstats.hostVsGuestBytes! - 1) < 0.05,
      `host vs guest bytes ${i.blockstats.hostVsGuestBytes}`,
    );
    // fio's bandwidth is timed by the guest's clock: within the tolerance, not exactly.
    assert.ok(
      i.blockstats.hostVsFioBytes! > 1 / 1.5 && i.blockstats.hostVsFioBytes! < 1.5,
      `host vs fio bytes ${i.blockstats.hostVsFioBytes}`,
    );

    assert.equal(i.exits.available, false);
    assert.match(!i.exits.available ? i.exits.reason : '', /^not available under TCG: QEMU emulates the CPU/);

    assert.ok(i.config.available);
    assert.ok(
      i.config.checks.every((c) => c.ok),
      JSON.stringify(i.config.checks),
    );
    assert.deepEqual(i.config.checks.find((c) => c.item === 'ioeventfd')?.observed, s.cell.ioeventfd === 'on');
  }

  // The breakdown, printed by `run` after the IOPS table.
  assert.match(r.stdout, /ioeventfd=off vs ioeventfd=on — backend=virtio-blk scheduler=none iodepth=1/);
  assert.match(r.stdout, /main-loop CPU \(µs\/I\/O\)/);
  assert.match(r.stdout, /→ ioeventfd=off vs ioeventfd=on \(backend=virtio-blk scheduler=none iodepth=4\): IOPS [+−]/);
  assert.match(r.stdout, /exits per I\/O not available under TCG/);

  const explained = await runCli(['explain', runDir]);
  assert.equal(explained.exitCode, 0, explained.stderr);
  assert.match(explained.stdout, /ioeventfd=off vs ioeventfd=on — backend=virtio-blk scheduler=none iodepth=4/);
  const json = await runCli(['explain', runDir, '--format', 'json']);
  const doc = JSON.parse(json.stdout) as {
    explained: string;
    pairs: { a: { label: string }; rows: { key: string }[] }[];
  };
  assert.equal(doc.explained, 'ioeventfd (baseline ioeventfd=on)');
  assert.equal(doc.pairs.length, 2);
  assert.ok(doc.pairs.every((p) => p.a.label === 'ioeventfd=on' && p.rows[0]!.key === 'iops'));
  const cells = await runCli(['explain', runDir, '--a', run.samples[0]!.cellKey, '--b', run.samples[1]!.cellKey]);
  assert.equal(cells.exitCode, 0, cells.stderr);
  assert.match(cells.stdout, /^iodepth=4 vs iodepth=1 — backend=virtio-blk ioeventfd=on scheduler=none/);
  const bad = await runCli(['explain', runDir, '--by', 'scheduler']);
  assert.equal(bad.exitCode, 2);
  assert.match(
    bad.stderr,
    /--by scheduler: the run has only scheduler=none; axes with two or more values: ioeventfd, iodepth/,
  );

  await assertNothingLeft(dir);
  await removeTemp(dir);
});
