/**
 * The results directory on a real, tiny tmpfs mounted by the test (as root):
 * too small from the start → refused before anything boots; filled up in the
 * middle of a run → the run stops cleanly, keeps every stored sample, and the
 * sample it could not store is saved on another filesystem.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { startCli, runCli, hasStackTrace } from '../helpers/cli.js';
import {
  assertNothingLeft,
  bootNames,
  fastProfile,
  readJson,
  removeTemp,
  tempDir,
  waitForSamples,
  writeProfile,
} from '../helpers/faults.js';

async function withTmpfs(size: string, fn: (mnt: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await tempDir('tmpfs');
  const mnt = join(dir, 'mnt');
  await mkdir(mnt);
  await execa('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', mnt]);
  try {
    await fn(mnt, dir);
  } finally {
    await execa('umount', ['-l', mnt], { reject: false });
  }
  await removeTemp(dir);
}

/** Writes zeroes until the filesystem refuses (ENOSPC). */
async function fill(dir: string): Promise<void> {
  const fh = await open(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) await fh.write(chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    await fh.close();
  }
  const s = await statfs(dir);
  assert.equal(s.bavail, 0);
}

test('results directory on a full tmpfs: refused before anything boots (exit 2, how much is missing)', () =>
  withTmpfs('256k', async (mnt, dir) => {
    const profile = await writeProfile(dir, 'tiny', fastProfile('tiny'));
    const r = await runCli(['run', profile, '--out', mnt]);
    assert.equal(r.exitCode, 2, r.stderr);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `error: not enough free space in ${mnt} for 1 sample\\(s\\) and 1 boot\\(s\\): \\d+ KiB free, about [\\d.]+ MiB needed`,
      ),
    );
    assert.match(r.stderr, /hint: free some space there, or choose another parent directory with --out/);
    assert.deepEqual(await readdir(mnt), [], 'nothing created, nothing booted');
    await assertNothingLeft(dir);
  }));

test('results directory fills up mid-run: clean stop (exit 3), stored samples kept, the unsaved one rescued elsewhere', () =>
  withTmpfs('4m', async (mnt, dir) => {
    const profile = await writeProfile(
      dir,
      'full',
      fastProfile('full', {
        fio: 'runtime: 2s, ramp_time: 0s',
        matrix: 'iodepth: [1, 4, 8]',
        extra: 'boot_retries: 0',
      }),
    );
    const cli = startCli(['run', profile, '--out', mnt]);
    const runDir = await waitForSamples(mnt, 1);
    await fill(mnt);
    const r = await cli;
    assert.equal(r.exitCode, 3, r.stderr);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`error: results directory ${runDir} cannot be written \\(ENOSPC\\): the run stopped cleanly`),
    );
    const rescued = /saved to (\S+)/.exec(r.stderr)?.[1];
    assert.ok(rescued, r.stderr);
    const [name] = await readdir(join(rescued, 'samples'));
    assert.match(name!, /^0002-.*iodepth-4-r0\.json$/);
    const sample = JSON.parse(await readFile(join(rescued, 'samples', name!), 'utf8'));
    assert.equal(sample.cell.iodepth, 4);
    assert.ok(existsSync(join(rescued, sample.rawFioPath)), 'its raw fio JSON too');
    assert.match(
      r.stderr,
      new RegExp(
        `hint: free some space, copy them in \\(cp -r ${rescued}/\\. ${runDir}/\\), then complete the run with: vblk-bench run --resume ${runDir}`,
      ),
    );
    // What was stored before is intact; the run is (still) marked incomplete; only one boot happened.
    const first = await readdir(join(runDir, 'samples'));
    assert.deepEqual(first.filter((n) => !n.startsWith('.')).length, 1);
    assert.equal((await readJson<{ status: string }>(join(runDir, 'run.json'))).status, 'incomplete');
    assert.deepEqual(bootNames(runDir), ['b001-g1-r0']);
    assert.deepEqual(
      (await readdir(join(runDir, 'samples'))).filter((n) => n.includes('.tmp-')),
      [],
      'no half-written temp files',
    );
    await removeTemp(rescued);
    await assertNothingLeft(dir);
  }));
