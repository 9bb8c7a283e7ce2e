import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdir, mkdtemp, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStampOf } from '../../../src/store/run-stamp.js';

async function runDir(): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'vblk-stamp-')), 'nightly-20261203T020000Z');
  await mkdir(join(dir, 'samples'), { recursive: true });
  for (const name of ['run.json', 'profile.json', 'environment.json', 'plan.json'])
    await writeFile(join(dir, name), '{}');
  return dir;
}

describe('runStampOf', () => {
  it('is the same for an untouched directory and changes when a file is replaced, a sample added, or the salt differs', async () => {
    const dir = await runDir();
    try {
      const first = await runStampOf(dir, 'v1');
      assert.match(first ?? '', /^[0-9a-f]{64}$/);
      assert.equal(await runStampOf(dir, 'v1'), first);
      assert.notEqual(await runStampOf(dir, 'v2'), first);
      // Writers replace files by rename: a new inode even with the same bytes.
      await writeFile(join(dir, 'run.json.tmp'), '{}');
      await rename(join(dir, 'run.json.tmp'), join(dir, 'run.json'));
      const replaced = await runStampOf(dir, 'v1');
      assert.notEqual(replaced, first);
      // A sample added changes samples/'s mtime (set here: within one clock tick it might not move).
      await writeFile(join(dir, 'samples', 'x.json'), '{}');
      await utimes(join(dir, 'samples'), new Date(2000, 0, 1), new Date(2000, 0, 1));
      assert.notEqual(await runStampOf(dir, 'v1'), replaced);
    } finally {
      await rm(join(dir, '..'), { recursive: true, force: true });
    }
  });

  it('is null for a directory without run.json or with a run in progress (.lock)', async () => {
    const dir = await runDir();
    try {
      await writeFile(join(dir, '.lock'), '');
      assert.equal(await runStampOf(dir, 'v1'), null);
      await rm(join(dir, '.lock'));
      await rm(join(dir, 'run.json'));
      assert.equal(await runStampOf(dir, 'v1'), null);
    } finally {
      await rm(join(dir, '..'), { recursive: true, force: true });
    }
  });
});
