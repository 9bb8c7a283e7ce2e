/**
 * The newc writer: the host's own cpio reads back exactly the entries written
 * (names, contents, modes, directories), archives end on 512 bytes so another
 * archive can follow, and a path that could leave the archive root is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCpio } from '../../../src/guest-image/cpio.js';

const run = promisify(execFile);

test('cpio: the host cpio extracts what was written, with modes and directories', async () => {
  const archive = writeCpio([
    { path: 'top' },
    { path: 'top/init', data: '#!/bin/sh\necho hi\n', mode: 0o755 },
    { path: 'top/odd', data: Buffer.from([1, 2, 3]) },
    { path: 'top/empty', data: '' },
  ]);
  assert.equal(archive.length % 512, 0, 'padded to 512 bytes');
  assert.equal(archive.subarray(0, 6).toString(), '070701');
  const dir = await mkdtemp(join(tmpdir(), 'vblk-cpio-'));
  try {
    await writeFile(join(dir, 'a.cpio'), archive);
    const listed = await run('cpio', ['-it', '--quiet', '-F', join(dir, 'a.cpio')]);
    assert.deepEqual(listed.stdout.trim().split('\n'), ['top', 'top/init', 'top/odd', 'top/empty']);
    await run('cpio', ['-idm', '--quiet', '--no-absolute-filenames', '-F', join(dir, 'a.cpio')], {
      cwd: dir,
    });
    assert.equal(await readFile(join(dir, 'top/init'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.deepEqual([...(await readFile(join(dir, 'top/odd')))], [1, 2, 3]);
    assert.equal((await readFile(join(dir, 'top/empty'))).length, 0);
    assert.equal((await stat(join(dir, 'top/init'))).mode & 0o777, 0o755);
    assert.equal((await stat(join(dir, 'top/odd'))).mode & 0o777, 0o644);
    assert.ok((await stat(join(dir, 'top'))).isDirectory());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('cpio: the same entries give the same bytes; paths outside the root are refused', () => {
  const entries = [{ path: 'x', data: 'a' }];
  assert.deepEqual(writeCpio(entries), writeCpio(entries));
  for (const path of ['/etc/passwd', '../x', 'a/../b', 'a//b', 'a b', '']) {
    assert.throws(() => writeCpio([{ path, data: 'x' }]), /not allowed/, path);
  }
});
