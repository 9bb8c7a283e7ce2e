/**
 * Faults inside a real guest, made over SSH while the run measures: fio
 * replaced by a program that prints garbage and a truncated JSON report
 * (then deletes itself), so the next cell finds no fio at all. Each failed
 * sample gets a one-line cause, the run a hint per cause; nothing is retried
 * silently and nothing is left running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasStackTrace } from '../helpers/cli.js';
import {
  assertNothingLeft,
  fastProfile,
  runDirIn,
  samplesOf,
  sshIntoBoot,
  startRun,
  waitForBootFile,
  removeTemp,
} from '../helpers/faults.js';

/** The guest's fio, replaced: garbage, half a JSON report, and it removes itself (the next cell has no fio). */
const fakeFio = (path: string) =>
  [
    '#!/bin/sh',
    'echo "fake-fio: this is not fio output"',
    `echo '{"fio version" : "fio-3.33", "jobs" : [ { "jobname" : "vblk",'`,
    `rm -f ${path}`,
    'exit 0',
    '',
  ].join('\n');

test('fio printing garbage and fio missing in the guest: failed samples with one-line causes and hints', async () => {
  const { dir, out, cli } = await startRun(
    'fio',
    fastProfile('fio', { matrix: 'iodepth: [1, 2, 3, 4, 5]', extra: 'boot_retries: 0' }),
  );

  // The guest is ready once its boot.json exists; its first cell is running (about 2.5 s per cell).
  const bootDir = await waitForBootFile(out, 'boot.json');
  const ssh = await sshIntoBoot(bootDir);
  try {
    const fio = (await ssh.run(['sh', '-c', 'command -v fio'], { timeoutMs: 10_000 })).stdout.trim();
    assert.match(fio, /^\/[\w/]+fio$/);
    await ssh.run(
      ['sh', '-c', 'mv "$1" "$1.real" && printf "%s" "$2" > "$1" && chmod 755 "$1"', 'sh', fio, fakeFio(fio)],
      { timeoutMs: 10_000 },
    );
  } finally {
    await ssh.close();
  }

  const r = await cli;
  assert.equal(r.exitCode, 3, r.stderr);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  const runDir = runDirIn(out)!;
  const samples = await samplesOf(runDir);
  assert.equal(samples.length, 5, 'every cell has a record');
  const reasons = samples.map((s) => `${s.status} ${s.reason ?? ''}`);
  const garbage = samples.findIndex((s) => /^fio output: JSON ends early/.test(s.reason ?? ''));
  assert.ok(garbage >= 1, `one sample with the truncated report: ${reasons.join(' | ')}`);
  assert.ok(
    samples.slice(0, garbage).every((s) => s.status === 'ok'),
    reasons.join(' | '),
  );
  const missing = samples.slice(garbage + 1);
  assert.ok(missing.length >= 1, `cells after it: ${reasons.join(' | ')}`);
  for (const s of missing) assert.match(s.reason ?? '', /^fio not found in the guest \(exit 127/, reasons.join(' | '));
  // Each failure carries its kind beside the reason: the hint comes from it.
  assert.equal(samples[garbage]!.failureKind, 'FioOutputUnusable');
  for (const s of missing) assert.equal(s.failureKind, 'FioNotFound');
  for (const s of samples.slice(0, garbage)) assert.equal(s.failureKind, undefined, 'ok samples have none');
  for (const s of samples) assert.ok(!(s.reason ?? '').includes('\n'), 'one-line causes');

  // What fio printed is kept with the failed sample.
  const raw = JSON.parse(await readFile(join(runDir, samples[garbage]!.rawFioPath!), 'utf8'));
  assert.match(raw.unparsedStdout, /fake-fio: this is not fio output/);
  // One hint per cause.
  assert.match(
    r.stderr,
    /sample\(s\) fio output: JSON ends early[^\n]*\n[^\n]*hint: fio printed something that is not its complete JSON report/,
  );
  assert.match(r.stderr, /sample\(s\) fio not found in the guest[^\n]*\n[^\n]*hint: the guest has no fio on PATH/);
  await assertNothingLeft(dir);
  await removeTemp(dir);
});
