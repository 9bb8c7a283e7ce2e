/**
 * Fault: QEMU is SIGKILLed while fio runs in its guest (real QEMU, TCG).
 * That sample fails and stays failed (a measurement failure is never retried
 * silently); the cells after it get a fresh guest (an infrastructure retry,
 * recorded in their samples); nothing is left running, no socket is left.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasStackTrace } from '../helpers/cli.js';
import {
  assertNothingLeft,
  fastProfile,
  qemuProcesses,
  samplesOf,
  startRun,
  waitFor,
  waitForSamples,
  readJson,
  removeTemp,
} from '../helpers/faults.js';

test('kill -9 QEMU mid-fio: that sample fails, the others complete on a fresh guest, no orphan', async () => {
  const { dir, out, cli } = await startRun(
    'killed',
    fastProfile('killed', { fio: 'runtime: 2s, ramp_time: 0s', matrix: 'iodepth: [1, 2, 4]' }),
  );

  const runDir = await waitForSamples(out, 1);
  // The second cell's fio starts right after the first sample is stored and runs 2 s.
  await new Promise((r) => setTimeout(r, 800));
  const qemu = await waitFor('QEMU of the run', () => qemuProcesses(runDir)[0], 10_000);
  process.kill(qemu.pid, 'SIGKILL');

  const r = await cli;
  assert.equal(r.exitCode, 3, r.stderr);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  const samples = await samplesOf(runDir);
  assert.deepEqual(
    samples.map((s) => [s.cell.iodepth, s.status]),
    [
      [1, 'ok'],
      [2, 'failed'],
      [4, 'ok'],
    ],
    JSON.stringify(samples.map((s) => s.reason)),
  );
  const [, killed, after] = samples;
  assert.match(killed!.reason ?? '', /fio|SSH|lost/);
  assert.equal(killed!.failureKind, 'GuestLost', killed!.reason);
  assert.equal(after!.bootRetries?.[0]?.failureKind, 'GuestLost');
  assert.match(after!.bootId, /-a2$/, 'the next cell ran in a fresh guest');
  assert.equal(after!.bootRetries?.[0]?.step, 'guest');
  assert.match(after!.bootRetries?.[0]?.reason ?? '', /guest lost during .*iodepth=2/);
  assert.match(r.stderr, /retrying 1 sample\(s\) with a fresh guest/);
  assert.match(r.stderr, /hint: /);
  const manifest = await readJson<{ status: string; counts: Record<string, number> }>(`${runDir}/run.json`);
  assert.equal(manifest.status, 'complete', 'every planned sample has a record');
  assert.deepEqual(manifest.counts, { ok: 2, failed: 1 });
  await assertNothingLeft(dir);
  await removeTemp(dir);
});
