/**
 * `vblk-bench guest export` / `guest import` with the real built-in guest:
 * the archive moves the image into another cache unchanged; a tampered
 * archive is refused with one line, exit code 2.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, REPO_ROOT } from '../helpers/cli.js';
import { ensureGuestImage, type GuestImage } from '../../src/guest-image/guest-image.js';
import { BLOCK, decodeHeader } from '../../src/guest-image/tar.js';

let image: GuestImage;
let dir: string;

before(async () => {
  image = await ensureGuestImage({ repoRoot: REPO_ROOT, build: true, log: (l) => process.stderr.write(`${l}\n`) });
  dir = await mkdtemp(join(tmpdir(), 'vblk-e2e-export-'));
});

/** Offset in the archive of the first data byte of `member`. */
async function dataOffset(archive: string, member: string): Promise<number> {
  const fh = await open(archive, 'r');
  try {
    const header = Buffer.alloc(BLOCK);
    for (let pos = 0; ;) {
      await fh.read(header, 0, BLOCK, pos);
      const h = decodeHeader(header);
      if (!h) throw new Error(`${member} not in ${archive}`);
      if (h.name === member) return pos + BLOCK;
      pos += BLOCK + Math.ceil(h.size / BLOCK) * BLOCK;
    }
  } finally {
    await fh.close();
  }
}

describe('guest export / import', { timeout: 5 * 60_000 }, () => {
  it('round trip into a fresh cache keeps the content hash; a tampered archive is refused', async () => {
    const archive = join(dir, 'guest.tar');
    const ex = await runCli(['guest', 'export', archive]);
    assert.equal(ex.exitCode, 0, ex.stderr);
    assert.match(ex.stdout, new RegExp(`content hash: ${image.contentHash}`));

    const im = await runCli(['guest', 'import', archive, '--expect-hash', image.contentHash.slice(0, 16)], {
      env: { VBLK_BENCH_CACHE: join(dir, 'cache') },
    });
    assert.equal(im.exitCode, 0, im.stderr);
    assert.match(im.stdout, /^imported: /);
    const info = await runCli(['guest', 'info'], { env: { VBLK_BENCH_CACHE: join(dir, 'cache') } });
    assert.equal(info.exitCode, 0, info.stderr);
    const doc = JSON.parse(info.stdout);
    assert.equal(doc.schema, 'vblk-bench/guest-image');
    assert.equal(doc.contentHash, image.contentHash);
    assert.equal(
      (await stat(join(dir, 'cache', 'guest', image.dir.split('/').pop()!, 'id_ed25519'))).mode & 0o777,
      0o600,
    );

    // One flipped bit inside the initramfs.
    const at = (await dataOffset(archive, 'initramfs.cpio.zst')) + 1000;
    const fh = await open(archive, 'r+');
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0x01;
    await fh.write(b, 0, 1, at);
    await fh.close();
    const bad = await runCli(['guest', 'import', archive], { env: { VBLK_BENCH_CACHE: join(dir, 'cache2') } });
    assert.equal(bad.exitCode, 2, bad.stderr);
    const lines = bad.stderr.trim().split('\n');
    assert.equal(lines.length, 1, bad.stderr);
    assert.match(
      lines[0]!,
      /^error: refusing .*guest\.tar: initramfs\.cpio\.zst: sha256 [0-9a-f]{64} does not match the manifest's [0-9a-f]{64} \(corrupt or tampered\)$/,
    );
    const installed = (await readdir(join(dir, 'cache2', 'guest')).catch(() => [] as string[])).filter((n) =>
      /^[0-9a-f]{16}$/.test(n),
    );
    assert.deepEqual(installed, [], 'nothing installed');
  });
});
