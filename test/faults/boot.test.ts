/**
 * Faults before a guest is usable, all real (QEMU under TCG, the built-in
 * guest): a kernel that panics on purpose (the kernel command line names an
 * init that does not exist), a boot that exceeds its timeout, an SSH server
 * that refuses the client key, and a private key others can read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, cp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { runCli, hasStackTrace } from '../helpers/cli.js';
import {
  assertNothingLeft,
  bootNames,
  fastProfile,
  guestImage,
  readJson,
  runDirIn,
  samplesOf,
  startRun,
  tempDir,
  waitForBootFile,
  writeProfile,
  removeTemp,
} from '../helpers/faults.js';
import { kernelCmdline } from '../../src/run/launch.js';

test('a kernel that panics: the boot is retried once with a fresh guest, serial logs kept and printed, cells failed', async () => {
  const dir = await tempDir('panic');
  // The last -append wins: the usual command line plus an init that does not exist → "Kernel panic".
  const append = `${kernelCmdline()} rdinit=/nonexistent init=/nonexistent`;
  const profile = await writeProfile(
    dir,
    'panic',
    fastProfile('panic', {
      extra: `boot_retries: 1\nguest: {kind: builtin, boot_timeout: 60s}\nqemu: {accel: tcg, extra_args: ['-append', '${append}']}`,
    }).replace('qemu: {accel: tcg}\n', ''),
  );
  const r = await runCli(['run', profile, '--out', join(dir, 'out')]);
  assert.equal(r.exitCode, 3, r.stderr);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  const runDir = runDirIn(join(dir, 'out'))!;
  assert.deepEqual(bootNames(runDir), ['b001-g1-r0', 'b001-g1-r0-a2'], 'one retry, with a fresh guest');
  for (const boot of bootNames(runDir)) {
    const serial = await readFile(join(runDir, 'boots', boot, 'serial.log'), 'utf8');
    assert.match(serial, /Kernel panic/, `${boot}: serial log kept`);
    const record = await readJson<{ status: string; attempt: number; step: string }>(
      join(runDir, 'boots', boot, 'boot.json'),
    );
    assert.equal(record.status, 'failed');
  }
  assert.match(r.stderr, /boot b001-g1-r0 failed: boot: guest did not reach init's ready marker/);
  assert.match(r.stderr, /\| .*Kernel panic - not syncing/, 'the last console lines are printed');
  assert.match(r.stderr, /attempt 2 of 2, a fresh guest/);
  const [sample] = await samplesOf(runDir);
  assert.equal(sample!.status, 'failed');
  assert.match(sample!.reason ?? '', /^boot failed: boot: guest did not reach/);
  assert.equal(sample!.bootRetries?.length, 1, 'the retried failure is recorded in the sample');
  assert.equal(sample!.bootRetries?.[0]?.bootId, 'b001-g1-r0');
  await assertNothingLeft(dir);
  await removeTemp(dir);
});

test('a boot slower than guest.boot_timeout: timeout, serial log kept, no retry with boot_retries: 0', async () => {
  const dir = await tempDir('timeout');
  const profile = await writeProfile(
    dir,
    'slow',
    fastProfile('slow', { extra: 'boot_retries: 0\nguest: {kind: builtin, boot_timeout: 1s}' }),
  );
  const r = await runCli(['run', profile, '--out', join(dir, 'out')]);
  assert.equal(r.exitCode, 3, r.stderr);
  const runDir = runDirIn(join(dir, 'out'))!;
  assert.deepEqual(bootNames(runDir), ['b001-g1-r0']);
  assert.ok(existsSync(join(runDir, 'boots', 'b001-g1-r0', 'serial.log')));
  assert.match(r.stderr, /did not reach init's ready marker within 1s/);
  assert.match(r.stderr, /serial console \(.*serial\.log\), last lines:/);
  assert.match(r.stderr, /hint: see serial\.log and qemu\.stderr\.log/);
  await assertNothingLeft(dir);
  await removeTemp(dir);
});

/**
 * A run on a private copy of the guest image cache (so its client key can be
 * damaged without touching the real one), once its QEMU has started: the
 * image was checked at start, the key is read when SSH connects.
 */
async function runOnCacheCopy(name: string) {
  const dir = await tempDir(name);
  const image = await guestImage();
  const cache = join(dir, 'cache');
  await cp(image.dir, join(cache, 'guest', basename(image.dir)), { recursive: true });
  const run = await startRun(name, fastProfile(name), { dir, env: { VBLK_BENCH_CACHE: cache } });
  await waitForBootFile(run.out, 'qemu.argv.json');
  return { ...run, key: join(cache, 'guest', basename(image.dir), 'id_ed25519') };
}

test('SSH refusing the key: the run stops at once (no retry: a fresh guest would refuse it too), cells left for --resume', async () => {
  const { dir, out, cli, key } = await runOnCacheCopy('ssh-key');
  // Swap the client key while the guest boots.
  await rm(key);
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'not-the-guest-key', '-f', key]);
  const r = await cli;
  assert.equal(r.exitCode, 3, r.stderr);
  assert.ok(!hasStackTrace(r.stderr), r.stderr);
  assert.match(r.stderr, /error: ssh: SSH to root@127\.0\.0\.1:\d+: authentication refused/);
  assert.match(r.stderr, /hint: the guest does not accept the image's client key/);
  const runDir = runDirIn(out)!;
  assert.deepEqual(bootNames(runDir), ['b001-g1-r0'], 'not retried');
  assert.equal((await samplesOf(runDir)).length, 0, 'not a measurement: left missing');
  const manifest = await readJson<{ status: string; stopReason: string }>(join(runDir, 'run.json'));
  assert.equal(manifest.status, 'incomplete');
  assert.match(manifest.stopReason, /authentication refused/);
  assert.match(r.stderr, /vblk-bench run --resume /);
  await assertNothingLeft(dir);
  await removeTemp(dir);
});

test('a private key readable by others is refused when it is loaded (exit 2)', async () => {
  const { dir, cli, key } = await runOnCacheCopy('key-mode');
  await chmod(key, 0o644);
  const r = await cli;
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /error: private key .*id_ed25519 has mode 0644: others can read it; refusing to use it/);
  assert.match(r.stderr, /hint: chmod 600 /);
  await assertNothingLeft(dir);
  await removeTemp(dir);
});
