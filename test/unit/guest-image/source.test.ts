import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  failedModulesFromSerial,
  imageLaunchOverrides,
  missingModulesMessage,
  neededGuestModules,
} from '../../../src/guest-image/source.js';
import { overlayArgv, parseQemuImgInfo, qemuImgInfoArgv } from '../../../src/guest-image/byo/image.js';
import { publicKeyLineOf } from '../../../src/guest/host-key-probe.js';

test('modules the guest needs: virtio always, the schedulers the cells use, virtio_mmio on microvm', () => {
  assert.deepEqual(neededGuestModules('q35', ['none', 'mq-deadline']), ['virtio_pci', 'virtio_blk', 'virtio_net']);
  assert.deepEqual(neededGuestModules('microvm', ['bfq', 'kyber']), [
    'virtio_pci',
    'virtio_blk',
    'virtio_net',
    'virtio_mmio',
    'bfq',
    'kyber-iosched',
  ]);
});

test("the built-in init's report of failed modules is read from the serial console", () => {
  const serial =
    'x\r\nvblk-guest: modprobe virtio_blk failed\r\nvblk-guest: modules that failed to load: virtio_blk bfq\r\nVBLK-GUEST-READY\r\n';
  assert.deepEqual(failedModulesFromSerial(serial), ['virtio_blk', 'bfq']);
  assert.deepEqual(failedModulesFromSerial('VBLK-GUEST-READY\n'), []);
});

test('a missing needed module is a boot error naming it; an unneeded one is not', () => {
  const other = { release: '6.9.0', initramfsRelease: '6.1.0-56-amd64' };
  assert.equal(
    missingModulesMessage(['virtio_blk', 'kyber-iosched'], ['virtio_pci', 'virtio_blk', 'virtio_net'], other),
    'guest kernel 6.9.0 lacks modules the guest needs: virtio_blk (neither built in nor loadable; the built-in initramfs carries modules for 6.1.0-56-amd64 only, so 6.9.0 must have them built in (=y))',
  );
  assert.equal(missingModulesMessage(['kyber-iosched'], ['virtio_pci', 'virtio_blk', 'virtio_net'], other), null);
  assert.match(
    missingModulesMessage(['bfq'], ['bfq'], { release: '6.1.0-56-amd64', initramfsRelease: '6.1.0-56-amd64' })!,
    /see the serial console/,
  );
});

test('an own image boots from an overlay in the boot directory, with the seed, and no kernel', () => {
  assert.deepEqual(imageLaunchOverrides('/r/boots/b1', '/c/seed.iso', undefined), {
    kernel: '',
    initrd: '',
    append: '',
    osDisk: { path: '/r/boots/b1/os-overlay.qcow2', format: 'qcow2', seedPath: '/c/seed.iso' },
  });
  assert.equal(imageLaunchOverrides('/b', '/s', '/q/build/pc-bios').firmwareDir, '/q/build/pc-bios');
});

test('qemu-img argv: info reads a busy image (-U); the overlay names its backing format', () => {
  assert.deepEqual(qemuImgInfoArgv('/img/x.qcow2'), ['info', '--output=json', '-U', '/img/x.qcow2']);
  assert.deepEqual(overlayArgv('/img/x.qcow2', 'qcow2', '/r/o.qcow2'), [
    'create',
    '-q',
    '-f',
    'qcow2',
    '-b',
    '/img/x.qcow2',
    '-F',
    'qcow2',
    '/r/o.qcow2',
  ]);
  assert.deepEqual(parseQemuImgInfo('{"format": "qcow2", "virtual-size": 134217728, "backing-filename": "base.img"}'), {
    format: 'qcow2',
    virtualSizeBytes: 134217728,
    backingFile: 'base.img',
  });
  assert.throws(() => parseQemuImgInfo('{}'), /no format/);
});

test('a learned host key blob becomes an OpenSSH key line', () => {
  const blob = Buffer.concat([
    Buffer.from([0, 0, 0, 11]),
    Buffer.from('ssh-ed25519'),
    Buffer.from([0, 0, 0, 32]),
    Buffer.alloc(32, 7),
  ]);
  assert.equal(publicKeyLineOf(blob), `ssh-ed25519 ${blob.toString('base64')}`);
  assert.throws(() => publicKeyLineOf(Buffer.from([0, 0, 0, 3, 0, 1, 2])), /no key type/);
});
