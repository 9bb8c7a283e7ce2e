import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  acquireBuildLock,
  ensureGuestImage,
  guestInputsHash,
  GuestImageError,
  loadGuestImage,
} from '../../../src/guest-image/guest-image.js';
import { contentHashOf } from '../../../src/guest-image/manifest.js';
import { FAKE_HOST_KEY, writeFakeImage } from './fake-image.js';

const HOST_KEY = FAKE_HOST_KEY;

/** A stand-in for build-guest.sh: writes a valid fake image and counts its runs. */
const FAKE_BUILD = `#!/usr/bin/env bash
set -euo pipefail
out=$1
echo run >> "$(dirname "$0")/../../build-count"
echo "[build-guest 00:00:00] fake build into $out"
echo "noise that is not forwarded"
tmp="$out.tmp-$$"
mkdir -p "$tmp"
for f in vmlinuz vmlinux initramfs.cpio.zst id_ed25519 id_ed25519.pub; do echo "fake $f" > "$tmp/$f"; done
chmod 600 "$tmp/id_ed25519"
echo "${HOST_KEY}" > "$tmp/host_key.pub"
{
  echo '{"schemaVersion": 1, "kernelVersion": "6.1.0-56-amd64",'
  echo ' "kernelPackage": {"name": "linux-image-6.1.0-56-amd64", "version": "6.1.192-2"},'
  echo ' "busybox": {"package": "busybox-static", "version": "v1.35.0", "packageVersion": "1"},'
  echo ' "dropbear": {"package": "dropbear-bin", "version": "2022.83"},'
  echo ' "fio": {"version": "fio-3.33", "sourcePackageVersion": "3.33-3", "static": true, "configureFlags": []},'
  echo ' "modules": [], "inputsHash": "'"\${VBLK_GUEST_INPUTS_HASH:-}"'", "files": {'
  sep=''
  for f in vmlinuz vmlinux initramfs.cpio.zst id_ed25519 id_ed25519.pub host_key.pub; do
    printf '%s"%s": {"sha256": "%s", "size": %s}' "$sep" "$f" "$(sha256sum "$tmp/$f" | cut -d' ' -f1)" "$(stat -c %s "$tmp/$f")"
    sep=','
  done
  echo '}, "builtAt": "2026-01-01T00:00:00Z"}'
} > "$tmp/manifest.json"
rm -rf "$out"
mv "$tmp" "$out"
`;

const FAILING_BUILD = `#!/usr/bin/env bash
for i in $(seq 1 30); do echo "log line $i"; done
echo "apt-get download failed" >&2
exit 3
`;

async function fakeRepo(root: string, script: string): Promise<string> {
  const repo = join(root, `repo-${Math.random().toString(16).slice(2)}`);
  await mkdir(join(repo, 'scripts', 'guest'), { recursive: true });
  await writeFile(join(repo, 'scripts', 'guest', 'build-guest.sh'), script, { mode: 0o755 });
  await writeFile(join(repo, 'scripts', 'guest', 'init'), '#!/bin/sh\necho init\n', { mode: 0o755 });
  return repo;
}

async function buildCount(repo: string): Promise<number> {
  const text = await readFile(join(repo, 'build-count'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).length;
}

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'vblk-guest-image-test-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadGuestImage', () => {
  it('loads a valid image: paths, host key line, content hash', async () => {
    const dir = join(root, 'valid');
    const manifest = await writeFakeImage(dir);
    const img = await loadGuestImage(dir);
    assert.equal(img.dir, dir);
    assert.equal(img.vmlinux, join(dir, 'vmlinux'));
    assert.equal(img.vmlinuz, join(dir, 'vmlinuz'));
    assert.equal(img.initramfs, join(dir, 'initramfs.cpio.zst'));
    assert.equal(img.clientKeyPath, join(dir, 'id_ed25519'));
    assert.equal(img.hostPublicKey, HOST_KEY);
    assert.deepEqual(img.manifest, manifest);
    assert.equal(img.contentHash, contentHashOf(manifest));
  });

  it('detects a tampered file and names it', async () => {
    const dir = join(root, 'tampered');
    await writeFakeImage(dir);
    await writeFile(join(dir, 'initramfs.cpio.zst'), 'FAKE initramfs.cpio.zst\n'); // same size, other bytes
    await assert.rejects(loadGuestImage(dir), (e: unknown) => {
      assert.ok(e instanceof GuestImageError);
      assert.equal(e.problems.length, 1);
      assert.match(e.problems[0]!, /^initramfs\.cpio\.zst: sha256 .*tampered/);
      assert.match(e.message, /initramfs\.cpio\.zst/);
      return true;
    });
  });

  it('names a missing file, a missing manifest and an open private key', async () => {
    const dir = join(root, 'incomplete');
    await writeFakeImage(dir);
    await rm(join(dir, 'vmlinux'));
    await chmod(join(dir, 'id_ed25519'), 0o644);
    await assert.rejects(loadGuestImage(dir), (e: unknown) => {
      assert.ok(e instanceof GuestImageError);
      assert.deepEqual(e.problems, ['vmlinux: missing', 'id_ed25519: mode 0644, must be 0600 (private key)']);
      return true;
    });
    await rm(join(dir, 'manifest.json'));
    await assert.rejects(loadGuestImage(dir), /manifest\.json: missing/);
  });
});

describe('guestInputsHash', () => {
  it('changes when a script under scripts/guest changes, and only then', async () => {
    const repo = await fakeRepo(root, FAKE_BUILD);
    const h1 = await guestInputsHash(repo);
    assert.match(h1, /^[0-9a-f]{64}$/);
    assert.equal(await guestInputsHash(repo), h1);

    await writeFile(join(repo, 'scripts', 'guest', 'init'), '#!/bin/sh\necho changed\n');
    const h2 = await guestInputsHash(repo);
    assert.notEqual(h2, h1);

    await writeFile(join(repo, 'scripts', 'guest', 'init'), '#!/bin/sh\necho init\n');
    assert.equal(await guestInputsHash(repo), h1, 'same bytes, same hash');

    await mkdir(join(repo, 'scripts', 'guest', 'extra'));
    await writeFile(join(repo, 'scripts', 'guest', 'extra', 'file'), 'x');
    assert.notEqual(await guestInputsHash(repo), h1, 'nested files count');

    await writeFile(join(repo, 'unrelated.txt'), 'outside scripts/guest');
    await rm(join(repo, 'scripts', 'guest', 'extra'), { recursive: true });
    assert.equal(await guestInputsHash(repo), h1, 'files outside scripts/guest do not count');
  });

  it('fails clearly without scripts/guest', async () => {
    await assert.rejects(guestInputsHash(join(root, 'nowhere')), GuestImageError);
  });
});

describe('ensureGuestImage', () => {
  it('tells the user to build when the image is missing and build is false', async () => {
    const repo = await fakeRepo(root, FAKE_BUILD);
    await assert.rejects(
      ensureGuestImage({ repoRoot: repo, cacheRoot: join(repo, 'cache'), build: false }),
      (e: unknown) => {
        assert.ok(e instanceof GuestImageError);
        assert.match(e.hint ?? '', /vblk-bench guest build/);
        return true;
      },
    );
    assert.equal(await buildCount(repo), 0);
  });

  it('builds once into <cache>/guest/<hash16>, then reuses; rebuilds on change or force', async () => {
    const repo = await fakeRepo(root, FAKE_BUILD);
    const cacheRoot = join(repo, 'cache');
    const lines: string[] = [];
    const img = await ensureGuestImage({ repoRoot: repo, cacheRoot, build: true, log: (l) => lines.push(l) });
    const hash = await guestInputsHash(repo);
    assert.equal(img.dir, join(cacheRoot, 'guest', hash.slice(0, 16)));
    assert.equal(img.manifest.inputsHash, hash, 'the build gets the inputs hash');
    assert.equal(img.hostPublicKey, HOST_KEY);
    assert.equal(await buildCount(repo), 1);
    assert.ok(
      lines.some((l) => l.includes('[build-guest 00:00:00] fake build')),
      lines.join('\n'),
    );
    assert.ok(!lines.some((l) => l.includes('noise')));
    const log = await readFile(`${img.dir}.build.log`, 'utf8');
    assert.match(log, /noise that is not forwarded/);
    assert.deepEqual(
      (await readdir(join(cacheRoot, 'guest'))).filter((n) => n.endsWith('.lock')),
      [],
    );

    const again = await ensureGuestImage({ repoRoot: repo, cacheRoot, build: true });
    assert.equal(again.contentHash, img.contentHash);
    assert.equal(await buildCount(repo), 1, 'a valid cached image is reused');
    await ensureGuestImage({ repoRoot: repo, cacheRoot, build: false });
    assert.equal(await buildCount(repo), 1);

    await ensureGuestImage({ repoRoot: repo, cacheRoot, build: true, force: true });
    assert.equal(await buildCount(repo), 2, 'force rebuilds');

    await writeFile(join(repo, 'scripts', 'guest', 'init'), '#!/bin/sh\necho v2\n');
    const v2 = await ensureGuestImage({ repoRoot: repo, cacheRoot, build: true });
    assert.notEqual(v2.dir, img.dir);
    assert.equal(await buildCount(repo), 3, 'changed inputs rebuild');
  });

  it('rebuilds a corrupt cached image when allowed, refuses it otherwise', async () => {
    const repo = await fakeRepo(root, FAKE_BUILD);
    const cacheRoot = join(repo, 'cache');
    const img = await ensureGuestImage({ repoRoot: repo, cacheRoot, build: true });
    await writeFile(img.vmlinux, 'FAKE vmlinux\n');
    await assert.rejects(ensureGuestImage({ repoRoot: repo, cacheRoot, build: false }), (e: unknown) => {
      assert.ok(e instanceof GuestImageError);
      assert.match(e.message, /vmlinux: sha256/);
      assert.match(e.hint ?? '', /vblk-bench guest build/);
      return true;
    });
    const fixed = await ensureGuestImage({ repoRoot: repo, cacheRoot, build: true });
    assert.equal(await buildCount(repo), 2);
    assert.equal((await stat(fixed.vmlinux)).size, Buffer.byteLength('fake vmlinux\n'));
  });

  it('the build lock is the host lock kind: held with its purpose while building, taken over from a holder that is gone', async () => {
    const repo = await fakeRepo(root, FAKE_BUILD);
    const cacheRoot = join(repo, 'cache');
    const dir = join(cacheRoot, 'guest', (await guestInputsHash(repo)).slice(0, 16));
    await mkdir(join(cacheRoot, 'guest'), { recursive: true });
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // has exited: no process with this pid and start time
    const stale = {
      pid: gone,
      startTicks: '1',
      hostname: hostname(),
      since: '2000-01-01T00:00:00.000Z',
      purpose: 'building the guest image',
    };
    await writeFile(`${dir}.lock`, JSON.stringify(stale));
    const lines: string[] = [];
    const held = await acquireBuildLock(dir, 'guest image', (l) => lines.push(l));
    assert.match(JSON.parse(await readFile(`${dir}.lock`, 'utf8')).purpose, /^building the guest image into /);
    assert.ok(
      lines.some((l) => /taking over a stale lock: its holder \(pid \d+/.test(l)),
      lines.join('\n'),
    );
    held.release();
    await ensureGuestImage({ repoRoot: repo, cacheRoot, build: true });
    assert.deepEqual(
      (await readdir(join(cacheRoot, 'guest'))).filter((n) => n.includes('.lock')),
      [],
    );
  });

  it('reports a failed build with the last 20 lines of its log', async () => {
    const repo = await fakeRepo(root, FAILING_BUILD);
    const cacheRoot = join(repo, 'cache');
    await assert.rejects(ensureGuestImage({ repoRoot: repo, cacheRoot, build: true }), (e: unknown) => {
      assert.ok(e instanceof GuestImageError);
      assert.match(e.message, /build failed \(exit code 3\)/);
      assert.equal(e.problems.length, 20);
      // stdout and stderr arrive through two pipes: their relative order is not guaranteed.
      assert.ok(e.problems.includes('apt-get download failed'), e.problems.join('\n'));
      assert.ok(e.problems.includes('log line 30'));
      assert.ok(!e.problems.includes('log line 5'));
      assert.match(e.message, /\.build\.log/);
      return true;
    });
    assert.deepEqual(
      (await readdir(join(cacheRoot, 'guest'))).filter((n) => n.endsWith('.lock')),
      [],
    );
  });
});
