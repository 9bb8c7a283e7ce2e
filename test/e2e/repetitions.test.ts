/**
 * Repetitions under TCG, for real: two QEMU configurations, 3 repetitions,
 * 1 s fio windows. The stored sample timestamps must show the rounds
 * interleaved (A B A B A B, never A A A B B B), each repetition in a fresh
 * boot; every sample carries the host steal of its fio window and the guest's
 * fio version; the run prints the per-cell statistics after its table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import { leftoverProcesses } from '../helpers/processes.js';
import { loadRun } from '../../src/store/run-reader.js';

test('repetitions: 3 with two groups are interleaved round by round (from the stored timestamps)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-e2e-reps-'));
  const profile = join(dir, 'reps.yaml');
  await writeFile(
    profile,
    'name: reps\nrepetitions: 3\nfio:\n  runtime: 1s\n  ramp_time: 0s\nmatrix:\n  ioeventfd: [on, off]\n  iodepth: [1]\n',
  );
  const out = join(dir, 'results');
  const r = await runCli(['run', profile, '--out', out, '--wait-lock', '900'], { timeoutMs: 1_200_000 });
  assert.equal(r.exitCode, 0, `exit ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);

  const [name] = await readdir(out);
  const run = await loadRun(join(out, name!));
  assert.equal(run.samples.length, 6);
  const chronological = [...run.samples].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  assert.deepEqual(
    chronological.map((s) => `${s.cell.ioeventfd}/r${s.repetition}`),
    ['on/r0', 'off/r0', 'on/r1', 'off/r1', 'on/r2', 'off/r2'],
    'A B A B A B',
  );
  for (let i = 1; i < chronological.length; i++) {
    assert.ok(chronological[i]!.startedAt >= chronological[i - 1]!.finishedAt, 'one sample at a time');
  }
  assert.equal(new Set(run.samples.map((s) => s.bootId)).size, 6, 'a fresh boot per repetition');
  assert.equal((run.plan as { rebootPerRepetition: boolean }).rebootPerRepetition, true);
  for (const s of run.samples) {
    assert.equal(s.status, 'ok', s.reason);
    assert.equal(typeof s.observed.hostStealPct, 'number', 'host steal of the fio window recorded');
    assert.match(String(s.observed.guestFio), /^fio-\d/);
  }

  assert.match(r.stdout, /iops per cell \(median, distribution-free 95 % CI of the median/);
  assert.match(r.stdout, /│ ioeventfd=on {2}│ 3 │/);
  assert.match(
    r.stdout,
    /warning: TooFewSamples \[ioeventfd=on; ioeventfd=off\]: Only 3 repetition\(s\): a 95 % confidence interval/,
  );
  assert.deepEqual(await leftoverProcesses(out), [], 'no QEMU left running');
});
