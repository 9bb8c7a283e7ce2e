import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { explain } from '../../../src/model/diagnostic.js';
import {
  assessUserKernel,
  bzImageVersionString,
  detectKernelFormat,
  embeddedConfig,
  hasPvhEntryNote,
  parseKernelConfig,
  releaseOf,
  vmlinuxVersionString,
} from '../../../src/guest-image/kernel-image.js';

const DEBIAN = '6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-10-30)';

/** A bzImage header: "HdrS", protocol 2.15, kernel_version pointer at 0x20e (string at pointer + 0x200). */
function fakeBzImage(version: string): Buffer {
  const b = Buffer.alloc(0x2000);
  b[0x1f1] = 4;
  b.write('HdrS', 0x202, 'latin1');
  b.writeUInt16LE(0x020f, 0x206);
  b.writeUInt16LE(0x1000 - 0x200, 0x20e);
  b.write(`${version}\0`, 0x1000, 'latin1');
  return b;
}

/** A minimal ELF64 with one PT_NOTE segment holding the given notes. */
function fakeElf(notes: { name: string; type: number; desc: Buffer }[]): Buffer {
  const parts = notes.map((n) => {
    const name = Buffer.from(`${n.name}\0`, 'latin1');
    const pad = (x: Buffer) => Buffer.concat([x, Buffer.alloc((4 - (x.length % 4)) % 4)]);
    const head = Buffer.alloc(12);
    head.writeUInt32LE(name.length, 0);
    head.writeUInt32LE(n.desc.length, 4);
    head.writeUInt32LE(n.type, 8);
    return Buffer.concat([head, pad(name), pad(n.desc)]);
  });
  const noteData = Buffer.concat(parts);
  const elf = Buffer.alloc(64 + 56 + noteData.length);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2; // ELFCLASS64
  elf[5] = 1; // little endian
  elf.writeBigUInt64LE(64n, 0x20); // e_phoff
  elf.writeUInt16LE(56, 0x36); // e_phentsize
  elf.writeUInt16LE(1, 0x38); // e_phnum
  elf.writeUInt32LE(4, 64); // PT_NOTE
  elf.writeBigUInt64LE(BigInt(64 + 56), 64 + 0x08); // p_offset
  elf.writeBigUInt64LE(BigInt(noteData.length), 64 + 0x20); // p_filesz
  noteData.copy(elf, 64 + 56);
  return elf;
}

test('kernel format from the first bytes', () => {
  assert.equal(detectKernelFormat(fakeBzImage(DEBIAN)), 'bzImage');
  assert.equal(detectKernelFormat(fakeElf([])), 'vmlinux');
  assert.equal(detectKernelFormat(Buffer.from('#!/bin/sh\n')), null);
});

test('bzImage: the version string from the boot header, its release', () => {
  assert.equal(bzImageVersionString(fakeBzImage(DEBIAN)), DEBIAN);
  assert.equal(releaseOf(DEBIAN), '6.1.0-56-amd64');
  const old = fakeBzImage(DEBIAN);
  old.writeUInt16LE(0x01ff, 0x206); // boot protocol < 2.00: no kernel_version field
  assert.equal(bzImageVersionString(old), null);
});

test('vmlinux: the linux_banner, skipping format strings such as linux_proc_banner', () => {
  const image = Buffer.concat([
    Buffer.from('junk\0%s version %s (%s)\0Linux version %s\0', 'latin1'),
    Buffer.from(`Linux version 6.9.0-rc1+ (me@box) (gcc 13) #7 SMP\n\0`, 'latin1'),
  ]);
  const v = vmlinuxVersionString(image);
  assert.equal(v, '6.9.0-rc1+ (me@box) (gcc 13) #7 SMP');
  assert.equal(releaseOf(v!), '6.9.0-rc1+');
  assert.equal(vmlinuxVersionString(Buffer.from('no banner here')), null);
});

test('PVH entry: an ELF note of owner Xen, type 0x12', () => {
  assert.equal(
    hasPvhEntryNote(
      fakeElf([
        { name: 'GNU', type: 3, desc: Buffer.alloc(20) },
        { name: 'Xen', type: 0x12, desc: Buffer.alloc(8) },
      ]),
    ),
    true,
  );
  assert.equal(hasPvhEntryNote(fakeElf([{ name: 'Xen', type: 0x11, desc: Buffer.alloc(8) }])), false);
  assert.equal(hasPvhEntryNote(fakeBzImage(DEBIAN)), false);
});

test('embedded config (CONFIG_IKCONFIG) is found and parsed', () => {
  const config = 'CONFIG_VIRTIO_BLK=y\nCONFIG_VIRTIO_NET=m\n# CONFIG_IOSCHED_BFQ is not set\n';
  const image = Buffer.concat([Buffer.from('xxIKCFG_ST'), gzipSync(config), Buffer.from('IKCFG_EDyy')]);
  assert.equal(embeddedConfig(image), config);
  assert.deepEqual(
    [...parseKernelConfig(config)],
    [
      ['CONFIG_VIRTIO_BLK', 'y'],
      ['CONFIG_VIRTIO_NET', 'm'],
    ],
  );
  assert.equal(embeddedConfig(Buffer.from('nothing')), null);
});

test('a user kernel of the initramfs release is fine; another release needs built-in drivers', () => {
  const needed = ['virtio_pci', 'virtio_blk', 'virtio_net', 'bfq'];
  assert.deepEqual(assessUserKernel({ release: '6.1.0-56-amd64', config: null }, '6.1.0-56-amd64', needed), {
    missing: [],
    diagnostics: [],
  });
  const config = parseKernelConfig('CONFIG_VIRTIO_PCI=y\nCONFIG_VIRTIO_BLK=m\nCONFIG_VIRTIO_NET=y\n');
  assert.deepEqual(assessUserKernel({ release: '6.9.0', config }, '6.1.0-56-amd64', needed).missing, [
    'virtio_blk (CONFIG_VIRTIO_BLK=m)',
    'bfq (CONFIG_IOSCHED_BFQ is not set)',
  ]);
  const unknown = assessUserKernel({ release: '6.9.0', config: null }, '6.1.0-56-amd64', needed);
  assert.deepEqual(unknown.missing, []);
  assert.equal(unknown.diagnostics[0]?.kind, 'GuestKernelUnchecked');
  assert.match(
    explain(unknown.diagnostics[0]!),
    /kernel 6\.9\.0 is not 6\.1\.0-56-amd64.*must be built in; checked when the guest boots/,
  );
});
