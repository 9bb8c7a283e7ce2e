/**
 * guest export/import on a small synthetic image (real files, real tar, real
 * hashes): the round trip, and every way a tampered archive is refused.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { writeFakeImage } from './fake-image.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { GUEST_IMAGE_FILES } from '../../../src/guest-image/manifest.js';
import { sha256Of } from '../../../src/util/sha256.js';
import { loadGuestImage } from '../../../src/guest-image/guest-image.js';
import {
  exportGuestImage,
  importGuestImage,
  ImportRefusedError,
  cachedGuestImageByHash,
} from '../../../src/guest-image/export.js';
import {
  decodeHeader,
  encodeHeader,
  extractTar,
  writeTar,
  TarFormatError,
  BLOCK,
} from '../../../src/guest-image/tar.js';

let work: string;
const INPUTS = 'a'.repeat(64);

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'vblk-export-test-'));
  await writeFakeImage(join(work, 'src-cache', 'guest', INPUTS.slice(0, 16)), { inputsHash: INPUTS });
});
after(async () => rm(work, { recursive: true, force: true }));

test('tar headers round-trip and carry a valid checksum; other tools read the archive', async () => {
  const h = encodeHeader({ name: 'vmlinux', mode: 0o644, size: 12345, mtime: 1700000000 });
  assert.equal(h.length, BLOCK);
  assert.deepEqual(decodeHeader(h), { name: 'vmlinux', mode: 0o644, size: 12345, mtime: 1700000000, type: '0' });
  const bad = Buffer.from(h);
  bad[0] = 0x77;
  assert.throws(() => decodeHeader(bad), /checksum/);
  assert.equal(decodeHeader(Buffer.alloc(BLOCK)), null);
  assert.throws(() => encodeHeader({ name: '../etc/passwd', mode: 0o644, size: 1, mtime: 0 }), /not allowed/);
  const file = join(work, 'a.txt');
  await writeFile(file, 'hello');
  await writeTar(join(work, 'x.tar'), [{ name: 'a.txt', path: file, mode: 0o644 }]);
  assert.equal((await execa('tar', ['-tf', join(work, 'x.tar')])).stdout.trim(), 'a.txt');
});

test('extractTar refuses entries it was not told about, and links', async () => {
  const dest = await mkdtemp(join(work, 'x-'));
  await assert.rejects(
    extractTar(join(work, 'x.tar'), dest, { allowed: ['b.txt'], maxBytes: 100 }),
    (e: unknown) => e instanceof TarFormatError && /unexpected entry "a.txt"/.test(e.message),
  );
  await execa('ln', ['-sf', '/etc/passwd', join(work, 'link')]);
  await execa('tar', ['-C', work, '--format=ustar', '-cf', join(work, 'link.tar'), 'link']);
  const dest2 = await mkdtemp(join(work, 'x-'));
  await assert.rejects(
    extractTar(join(work, 'link.tar'), dest2, { allowed: ['link'], maxBytes: 100 }),
    /not a regular file/,
  );
});

test('export then import into another cache: same files, same content hash, usable image', async () => {
  const image = await loadGuestImage(join(work, 'src-cache', 'guest', INPUTS.slice(0, 16)));
  const archive = join(work, 'guest.tar');
  const record = await exportGuestImage(image, archive);
  assert.equal(record.contentHash, image.contentHash);
  const cacheRoot = join(work, 'dst-cache');
  const imported = await importGuestImage(archive, { cacheRoot });
  assert.equal(imported.installed, true);
  assert.equal(imported.image.contentHash, image.contentHash);
  assert.equal(imported.image.dir, join(cacheRoot, 'guest', INPUTS.slice(0, 16)));
  for (const f of GUEST_IMAGE_FILES)
    assert.deepEqual(await readFile(join(imported.image.dir, f)), await readFile(join(image.dir, f)), f);
  assert.equal((await cachedGuestImageByHash(cacheRoot, image.contentHash.slice(0, 12))).dir, imported.image.dir);
  // Importing it again is a no-op; a wrong expected hash is refused.
  assert.equal((await importGuestImage(archive, { cacheRoot })).installed, false);
  await assert.rejects(
    importGuestImage(archive, { cacheRoot, expectHash: '00000000' }),
    (e: unknown) => e instanceof ImportRefusedError && /is not the expected 00000000/.test(e.message),
  );
});

/** Rewrites one member of an archive (same size) and returns the tampered copy. */
async function tamper(archive: string, member: string, change: (data: Buffer) => Buffer, out: string): Promise<string> {
  const dir = await mkdtemp(join(work, 't-'));
  await execa('tar', ['-C', dir, '-xf', archive]);
  const names = (await execa('tar', ['-tf', archive])).stdout.trim().split('\n');
  await writeFile(join(dir, member), change(await readFile(join(dir, member))));
  await writeTar(
    out,
    names.map((n) => ({ name: n, path: join(dir, n), mode: 0o644 })),
  );
  return out;
}

test('a tampered archive is refused with one line naming the problem, and nothing is installed', async () => {
  const archive = join(work, 'guest.tar');
  const cacheRoot = join(work, 'tamper-cache');
  const flip = (d: Buffer) => {
    const c = Buffer.from(d);
    c[10] = c[10]! ^ 1;
    return c;
  };
  const badFile = await tamper(archive, 'vmlinux', flip, join(work, 'bad-file.tar'));
  await assert.rejects(importGuestImage(badFile, { cacheRoot }), (e: unknown) => {
    assert.ok(e instanceof ImportRefusedError);
    assert.match(
      e.message,
      /^refusing .*bad-file\.tar: vmlinux: sha256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64} \(corrupt or tampered\)$/,
    );
    assert.ok(!e.message.includes('\n'));
    return true;
  });
  // File and manifest changed together: the export record's content hash no longer matches.
  const dir = await mkdtemp(join(work, 'm-'));
  await execa('tar', ['-C', dir, '-xf', archive]);
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  const text = 'EVIL'.repeat(5000);
  await writeFile(join(dir, 'vmlinux'), text);
  manifest.files.vmlinux = { sha256: sha256Of(text), size: text.length };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const names = (await execa('tar', ['-tf', archive])).stdout.trim().split('\n');
  const consistent = join(work, 'consistent.tar');
  await writeTar(
    consistent,
    names.map((n) => ({ name: n, path: join(dir, n), mode: 0o644 })),
  );
  await assert.rejects(
    importGuestImage(consistent, { cacheRoot }),
    /content hash [0-9a-f]{64} of the files does not match [0-9a-f]{64} in vblk-guest-export\.json \(tampered\)/,
  );
  await writeFile(join(work, 'junk.tar'), 'not a tar at all'.repeat(100));
  await assert.rejects(importGuestImage(join(work, 'junk.tar'), { cacheRoot }), /not a guest export/);
  await assert.rejects(loadGuestImage(join(cacheRoot, 'guest', INPUTS.slice(0, 16))));
});
