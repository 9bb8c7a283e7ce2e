/**
 * Two runs on one host at once (real runs, a lock directory of this test's
 * own): the second exits 4 naming the holder's pid and start, or — with
 * --wait-lock — waits and then runs; a resume of a directory another run is
 * writing is refused the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startCli, runCli, hasStackTrace } from '../helpers/cli.js';
import {
  assertNothingLeft,
  fastProfile,
  readJson,
  removeTemp,
  runDirIn,
  startRun,
  tempDir,
  waitFor,
} from '../helpers/faults.js';

/** A run holding the host lock of a lock directory of the test's own. */
async function firstRun(name: string) {
  const dir = await tempDir(name);
  const env = { VBLK_BENCH_LOCK_DIR: join(dir, 'locks') };
  const { profile, cli: first } = await startRun(name, fastProfile(name), { dir, env });
  const hostLock = join(dir, 'locks', 'host.lock');
  await waitFor('the first run to hold the host lock', () => existsSync(hostLock));
  return { dir, env, profile, first, hostLock };
}

test('two concurrent runs: the second exits 4 naming the holder, or waits with --wait-lock', async () => {
  const { dir, env, profile, first, hostLock } = await firstRun('concurrent');
  await waitFor('the first run to create its results directory', () => runDirIn(join(dir, 'out')));
  const holder = await readJson<{ pid: number; since: string }>(hostLock);
  assert.equal(holder.pid, first.pid);

  const second = await runCli(['run', profile, '--out', join(dir, 'b')], { env });
  assert.equal(second.exitCode, 4, second.stderr);
  assert.ok(!hasStackTrace(second.stderr));
  assert.match(
    second.stderr,
    new RegExp(`error: another vblk-bench run holds ${hostLock}: pid ${first.pid}, started ${holder.since}`),
  );
  assert.match(second.stderr, /hint: wait for it with --wait-lock/);
  assert.ok(
    !existsSync(join(dir, 'b')) || runDirIn(join(dir, 'b')) === undefined,
    'the second run created no results directory',
  );

  // Resuming the directory the first run is writing: refused as well.
  const resume = await runCli(['run', '--resume', runDirIn(join(dir, 'out'))!], { env });
  assert.equal(resume.exitCode, 4, resume.stderr);

  const third = startCli(['run', profile, '--out', join(dir, 'c'), '--wait-lock', '300'], { env });
  const [a, c] = await Promise.all([first, third]);
  assert.equal(a.exitCode, 0, a.stderr);
  assert.equal(c.exitCode, 0, c.stderr);
  assert.match(c.stderr, new RegExp(`waiting for the lock held by pid ${first.pid}`));
  const aDone = await readJson<{ finishedAt: string }>(join(runDirIn(join(dir, 'out'))!, 'run.json'));
  const cStart = await readJson<{ startedAt: string }>(join(runDirIn(join(dir, 'c'))!, 'run.json'));
  assert.ok(cStart.startedAt >= aDone.finishedAt, 'the waiting run started after the first one ended');
  assert.ok(!existsSync(hostLock), 'the lock is released');
  await assertNothingLeft(dir);
  await removeTemp(dir);
});

test('--wait-lock with a limit gives up with exit 4', async () => {
  const { dir, env, profile, first } = await firstRun('wait-limit');
  const second = await runCli(['run', profile, '--out', join(dir, 'b'), '--wait-lock', '1'], { env });
  assert.equal(second.exitCode, 4, second.stderr);
  // It waited before giving up: the tool's own count of the wait, rounded to seconds (more on a busy machine).
  assert.match(second.stderr, /\(waited [1-9]\d* s\)/);
  first.kill('SIGTERM');
  assert.equal((await first).exitCode, 143);
  await assertNothingLeft(dir);
  await removeTemp(dir);
});
