import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  replaceFileAtomic,
  writeFileAtomic,
  writeJsonAtomic,
  writeJsonAtomicSync,
} from '../../../src/util/atomic-file.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vblk-atomic-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('writeFileAtomic replaces a file whole, creates missing parents and leaves no temporary file', () =>
  withDir(async (dir) => {
    const path = join(dir, 'sub', 'a.json');
    await writeJsonAtomic(path, { v: 1 });
    await writeJsonAtomic(path, { v: 2 });
    assert.equal(await readFile(path, 'utf8'), '{\n  "v": 2\n}\n');
    assert.deepEqual(await readdir(join(dir, 'sub')), ['a.json']);
  }));

test('an explicit mode is the exact result mode, whatever the umask', () =>
  withDir(async (dir) => {
    const key = join(dir, 'key');
    await writeFile(key, 'old', { mode: 0o644 });
    await writeFileAtomic(key, 'secret', { mode: 0o600 });
    assert.equal((await stat(key)).mode & 0o777, 0o600);
    const sync = join(dir, 'sync.json');
    writeJsonAtomicSync(sync, [1], { mode: 0o640 });
    assert.equal((await stat(sync)).mode & 0o777, 0o640);
    assert.equal(await readFile(sync, 'utf8'), '[\n  1\n]\n');
  }));

test('a failing producer keeps the old file and removes its temporary file', () =>
  withDir(async (dir) => {
    const path = join(dir, 'archive.tar');
    await writeFile(path, 'old');
    await assert.rejects(
      replaceFileAtomic(path, async (tmp) => {
        await writeFile(tmp, 'half');
        throw new Error('tool failed');
      }),
      /tool failed/,
    );
    assert.equal(await readFile(path, 'utf8'), 'old');
    assert.deepEqual(await readdir(dir), ['archive.tar']);
  }));
