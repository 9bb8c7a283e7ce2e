import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildQemuArgs } from '../../../src/vm/qemu-args.js';
import { InputError } from '../../../src/model/errors.js';
import { firmwareDirCandidates, pickFirmwareDir } from '../../../src/vm/firmware.js';
import { baseSpec, hasSequence, valuesOf } from './fixtures.js';

const osDisk = { path: '/r/boots/b1/os-overlay.qcow2', format: 'qcow2' as const, seedPath: '/c/byo/ab/seed.iso' };

test('an own image: no -kernel/-initrd/-append, the OS disk first with bootindex 0, the seed read-only, then the test disk', () => {
  const args = buildQemuArgs(baseSpec({ kernel: '', initrd: '', append: '', osDisk }));
  for (const flag of ['-kernel', '-initrd', '-append']) assert.equal(args.includes(flag), false, flag);
  const devices = valuesOf(args, '-device');
  assert.deepEqual(
    devices.filter((d) => d.startsWith('virtio-blk-pci')),
    [
      'virtio-blk-pci,id=vblk-osdisk,drive=vblk-os,serial=vblk-os,bootindex=0',
      'virtio-blk-pci,id=vblk-seeddisk,drive=vblk-seed,serial=vblk-seed',
      'virtio-blk-pci,id=vblk0,drive=vblk-disk,serial=vblk-test,ioeventfd=on',
    ],
  );
  assert.ok(
    hasSequence(args, [
      '-blockdev',
      'driver=qcow2,node-name=vblk-os,file.driver=file,file.filename=/r/boots/b1/os-overlay.qcow2',
    ]),
  );
  assert.ok(
    hasSequence(args, [
      '-blockdev',
      'driver=raw,node-name=vblk-seed,read-only=on,file.driver=file,file.filename=/c/byo/ab/seed.iso,file.read-only=on',
    ]),
  );
});

test('commas in the overlay or seed path are escaped for QEMU', () => {
  const args = buildQemuArgs(
    baseSpec({
      kernel: '',
      initrd: '',
      append: '',
      osDisk: { ...osDisk, path: '/r/a,b/o.qcow2', seedPath: '/s,1.iso' },
    }),
  );
  assert.ok(valuesOf(args, '-blockdev').some((b) => b.includes('file.filename=/r/a,,b/o.qcow2')));
  assert.ok(valuesOf(args, '-blockdev').some((b) => b.includes('file.filename=/s,,1.iso')));
});

test('a kernel together with an OS disk, or neither, is refused', () => {
  assert.throws(
    () => buildQemuArgs(baseSpec({ osDisk })),
    (e: unknown) => e instanceof InputError && /takes no kernel or initrd/.test(e.message),
  );
  assert.throws(
    () => buildQemuArgs(baseSpec({ kernel: '' })),
    (e: unknown) => e instanceof InputError && /kernel: empty \(and no osDisk/.test(e.message),
  );
});

test('-L for a QEMU build tree comes before the boot source; none by default', () => {
  assert.deepEqual(valuesOf(buildQemuArgs(baseSpec({ firmwareDir: '/src/qemu/build/pc-bios' })), '-L'), [
    '/src/qemu/build/pc-bios',
  ]);
  assert.deepEqual(valuesOf(buildQemuArgs(baseSpec()), '-L'), []);
});

test('firmware: pc-bios beside the binary (meson build dir), else one level up (in-tree build)', () => {
  assert.deepEqual(firmwareDirCandidates('/src/qemu/build/qemu-system-x86_64'), [
    '/src/qemu/build/pc-bios',
    '/src/qemu/pc-bios',
  ]);
  const has = (paths: string[]) => (p: string) => paths.includes(p);
  assert.equal(
    pickFirmwareDir('/src/qemu/build/qemu-system-x86_64', has(['/src/qemu/build/pc-bios/bios-256k.bin'])),
    '/src/qemu/build/pc-bios',
  );
  assert.equal(
    pickFirmwareDir('/src/qemu/build/qemu-system-x86_64', has(['/src/qemu/pc-bios/bios-256k.bin'])),
    '/src/qemu/pc-bios',
  );
  assert.equal(pickFirmwareDir('/usr/bin/qemu-system-x86_64', has([])), undefined);
});
