import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkImageFiles,
  computeInputsHash,
  contentHashOf,
  GUEST_IMAGE_FILES,
  guestBuildRecord,
  guestImageDirFor,
  lastLines,
  parseGuestManifest,
  parseHostKeyLine,
  type GuestManifest,
  type ObservedFile,
} from '../../../src/guest-image/manifest.js';
import { sha256Of } from '../../../src/util/sha256.js';
import { cacheRootFrom } from '../../../src/util/cache-root.js';

const enc = new TextEncoder();

function fakeContents(): Record<string, string> {
  return Object.fromEntries(GUEST_IMAGE_FILES.map((f) => [f, `contents of ${f}\n`]));
}

function manifestFor(contents: Record<string, string>): GuestManifest {
  return {
    schemaVersion: 1,
    kernelVersion: '6.1.0-56-amd64',
    kernelPackage: { name: 'linux-image-6.1.0-56-amd64', version: '6.1.192-2' },
    busybox: { package: 'busybox-static', version: 'v1.35.0', packageVersion: '1:1.35.0-4+deb12u1+b1' },
    dropbear: { package: 'dropbear-bin', version: '2022.83-1+deb12u3' },
    fio: { version: 'fio-3.33', sourcePackageVersion: '3.33-3', static: true, configureFlags: ['--build-static'] },
    modules: ['virtio_blk'],
    files: Object.fromEntries(
      Object.entries(contents).map(([f, c]) => [f, { sha256: sha256Of(c), size: enc.encode(c).length }]),
    ),
    builtAt: '2026-01-01T00:00:00Z',
  };
}

function observedFrom(
  contents: Record<string, string>,
  modes: Record<string, number> = {},
): Record<string, ObservedFile> {
  return Object.fromEntries(
    Object.entries(contents).map(([f, c]) => [
      f,
      {
        exists: true,
        size: enc.encode(c).length,
        sha256: sha256Of(c),
        mode: modes[f] ?? (f === 'id_ed25519' ? 0o600 : 0o644),
      },
    ]),
  );
}

describe('parseGuestManifest', () => {
  it('accepts a complete manifest', () => {
    const m = manifestFor(fakeContents());
    const r = parseGuestManifest(JSON.stringify(m));
    assert.ok('manifest' in r);
    assert.deepEqual(r.manifest, m);
  });

  it('reports invalid JSON', () => {
    const r = parseGuestManifest('{not json');
    assert.ok('problems' in r);
    assert.match(r.problems[0]!, /not valid JSON/);
  });

  it('names missing fields and files without a hash', () => {
    const m = manifestFor(fakeContents()) as unknown as Record<string, unknown>;
    delete m.kernelVersion;
    let r = parseGuestManifest(JSON.stringify(m));
    assert.ok('problems' in r);
    assert.ok(
      r.problems.some((p) => p.includes('kernelVersion')),
      r.problems.join('\n'),
    );

    const m2 = manifestFor(fakeContents());
    delete m2.files['vmlinux'];
    r = parseGuestManifest(JSON.stringify(m2));
    assert.ok('problems' in r);
    assert.deepEqual(r.problems, ['manifest.json: files.vmlinux: missing (no hash recorded)']);
  });

  it('rejects a malformed sha256', () => {
    const m = manifestFor(fakeContents());
    m.files['vmlinuz']!.sha256 = 'XYZ';
    const r = parseGuestManifest(JSON.stringify(m));
    assert.ok('problems' in r);
    assert.match(r.problems.join('\n'), /files\.vmlinuz\.sha256/);
  });
});

describe('checkImageFiles', () => {
  it('passes when every file matches', () => {
    const c = fakeContents();
    assert.deepEqual(checkImageFiles(manifestFor(c), observedFrom(c)), []);
  });

  it('detects a tampered file (same size, other bytes)', () => {
    const c = fakeContents();
    const m = manifestFor(c);
    const tampered = { ...c, 'initramfs.cpio.zst': c['initramfs.cpio.zst']!.replace('contents', 'CONTENTS') };
    const problems = checkImageFiles(m, observedFrom(tampered));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /^initramfs\.cpio\.zst: sha256 .* tampered/);
  });

  it('detects a truncated file by its size', () => {
    const c = fakeContents();
    const problems = checkImageFiles(manifestFor(c), observedFrom({ ...c, vmlinux: 'x' }));
    assert.deepEqual(problems, [`vmlinux: size 1 bytes, manifest says ${c['vmlinux']!.length} (corrupt or replaced)`]);
  });

  it('names missing files and a private key readable by others', () => {
    const c = fakeContents();
    const obs = observedFrom(c, { id_ed25519: 0o644 });
    obs['host_key.pub'] = { exists: false };
    const problems = checkImageFiles(manifestFor(c), obs);
    assert.deepEqual(problems, ['id_ed25519: mode 0644, must be 0600 (private key)', 'host_key.pub: missing']);
  });
});

describe('contentHashOf', () => {
  it('depends on the file hashes only, not on key order or other fields', () => {
    const c = fakeContents();
    const a = manifestFor(c);
    const b = { ...manifestFor(c), builtAt: '2030-01-01T00:00:00Z' };
    b.files = Object.fromEntries(Object.entries(b.files).reverse());
    assert.equal(contentHashOf(a), contentHashOf(b));
    const d = manifestFor({ ...c, vmlinux: 'other kernel' });
    assert.notEqual(contentHashOf(a), contentHashOf(d));
    assert.match(contentHashOf(a), /^[0-9a-f]{64}$/);
  });
});

describe('computeInputsHash', () => {
  const files = [
    { path: 'build-guest.sh', data: enc.encode('#!/bin/bash\necho build\n') },
    { path: 'init', data: enc.encode('#!/bin/sh\necho init\n') },
  ];

  it('does not depend on listing order', () => {
    assert.equal(computeInputsHash(files), computeInputsHash([...files].reverse()));
  });

  it('changes when a file changes, is renamed, added or removed', () => {
    const base = computeInputsHash(files);
    const edited = computeInputsHash([files[0]!, { path: 'init', data: enc.encode('#!/bin/sh\necho init!\n') }]);
    const renamed = computeInputsHash([files[0]!, { path: 'init.sh', data: files[1]!.data }]);
    const added = computeInputsHash([...files, { path: 'sub/extra', data: enc.encode('') }]);
    const removed = computeInputsHash([files[0]!]);
    assert.equal(new Set([base, edited, renamed, added, removed]).size, 5);
  });

  it('treats backslash and slash separators alike and refuses duplicates', () => {
    assert.equal(
      computeInputsHash([{ path: 'a\\b', data: enc.encode('x') }]),
      computeInputsHash([{ path: 'a/b', data: enc.encode('x') }]),
    );
    assert.throws(() => computeInputsHash([files[0]!, files[0]!]), /duplicate path/);
  });
});

describe('cache paths', () => {
  it('takes VBLK_BENCH_CACHE, then XDG_CACHE_HOME, then ~/.cache', () => {
    assert.equal(cacheRootFrom({ VBLK_BENCH_CACHE: '/c', XDG_CACHE_HOME: '/x' }, '/home/u'), '/c');
    assert.equal(cacheRootFrom({ XDG_CACHE_HOME: '/x' }, '/home/u'), '/x/vblk-bench');
    assert.equal(cacheRootFrom({ VBLK_BENCH_CACHE: '' }, '/home/u'), '/home/u/.cache/vblk-bench');
  });

  it('names the image dir after the first 16 hex digits of the inputs hash', () => {
    const h = sha256Of('x');
    assert.equal(guestImageDirFor('/c', h), `/c/guest/${h.slice(0, 16)}`);
    assert.throws(() => guestImageDirFor('/c', '../../etc'), /not an inputs hash/);
  });
});

describe('parseHostKeyLine', () => {
  it('keeps type and key, drops the comment', () => {
    const line = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPmufoNXjlOG4rBiwduJ4YbK8+qQI5aabL3+O3NFfFP0';
    assert.deepEqual(parseHostKeyLine(`${line} root@vm\n`), { line });
    assert.deepEqual(parseHostKeyLine(`\n${line}\n`), { line });
  });

  it('rejects other key types and garbage', () => {
    assert.ok('problem' in parseHostKeyLine('ssh-rsa AAAAB3NzaC1yc2E'));
    assert.ok('problem' in parseHostKeyLine(''));
    assert.ok('problem' in parseHostKeyLine('-----BEGIN OPENSSH PRIVATE KEY-----'));
  });
});

describe('lastLines', () => {
  it('returns the last n lines without trailing blanks', () => {
    assert.deepEqual(lastLines('a\nb\nc\n\n', 2), ['b', 'c']);
    assert.deepEqual(lastLines('a', 5), ['a']);
  });
});

describe('guestBuildRecord', () => {
  it('records the package versions the guest was built from and the recipe hash, under names that stay put when they change', () => {
    const m = { ...manifestFor(fakeContents()), inputsHash: 'ab'.repeat(32) };
    assert.deepEqual(guestBuildRecord(m), {
      packages: { kernel: '6.1.192-2', busybox: '1:1.35.0-4+deb12u1+b1', dropbear: '2022.83-1+deb12u3', fio: '3.33-3' },
      recipeHash: 'ab'.repeat(32),
    });
    assert.equal(guestBuildRecord(manifestFor(fakeContents())).recipeHash, null, 'built by hand: no recipe hash');
  });
});
