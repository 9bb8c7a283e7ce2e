import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import {
  findDisk,
  findDiskByPciAddress,
  findDiskBySerial,
  LIST_DISKS_SCRIPT,
  normalizePciAddress,
  parseDiskListing,
} from '../../../src/guest/disk.js';
import { InputError, RunStepError } from '../../../src/model/errors.js';
import { FakeRunner } from './fake-runner.js';

const LISTING = [
  'vda\troot-disk\t/sys/devices/pci0000:00/0000:00:02.0/virtio1',
  'vdb\tvblk-test\t/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/virtio3',
  'vdc\t\t/sys/devices/platform/feb00e00.virtio_mmio/virtio2',
  'garbage line',
  'sda\tx\t/sys/devices/whatever',
  '',
].join('\n');

test('parseDiskListing reads name, serial, device path and the last PCI component', () => {
  const { disks, unparsed } = parseDiskListing(LISTING);
  assert.deepEqual(disks, [
    {
      name: 'vda',
      serial: 'root-disk',
      devicePath: '/sys/devices/pci0000:00/0000:00:02.0/virtio1',
      pciAddress: '0000:00:02.0',
    },
    {
      name: 'vdb',
      serial: 'vblk-test',
      devicePath: '/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/virtio3',
      pciAddress: '0000:01:00.0',
    },
    { name: 'vdc', serial: '', devicePath: '/sys/devices/platform/feb00e00.virtio_mmio/virtio2' },
  ]);
  assert.deepEqual(unparsed, ['garbage line', 'sda\tx\t/sys/devices/whatever']);
});

test('the listing script is a constant and works on a real /sys', { skip: !existsSync('/sys/block') }, () => {
  const out = execFileSync('/bin/sh', ['-c', LIST_DISKS_SCRIPT], { encoding: 'utf8' });
  const { disks, unparsed } = parseDiskListing(out);
  const expected = readdirSync('/sys/block')
    .filter((n) => /^vd[a-z]+$/.test(n))
    .sort();
  assert.deepEqual(disks.map((d) => d.name).sort(), expected);
  assert.deepEqual(unparsed, []);
});

const runner = () =>
  new FakeRunner((argv) => (argv[0] === 'sh' && argv[2] === LIST_DISKS_SCRIPT ? { stdout: LISTING } : undefined));

test('findDiskBySerial returns the device with that serial', async () => {
  assert.equal(await findDiskBySerial(runner(), 'vblk-test'), 'vdb');
});

test('no match lists the disks seen', async () => {
  await assert.rejects(findDiskBySerial(runner(), 'nope'), (err: unknown) => {
    assert.ok(err instanceof RunStepError);
    assert.match(
      err.message,
      /no guest disk with serial 'nope'; disks seen: vda \(serial 'root-disk', pci 0000:00:02\.0\), vdb .*vdc \(serial none, not on PCI\)/,
    );
    return true;
  });
  const empty = new FakeRunner(() => ({ stdout: '' }));
  await assert.rejects(findDiskBySerial(empty, 'x'), /no virtio disks at all/);
});

test('two disks with one serial is an error, not a guess', async () => {
  const dup = new FakeRunner(() => ({ stdout: 'vda\ts\t/sys/x\nvdb\ts\t/sys/y\n' }));
  await assert.rejects(findDiskBySerial(dup, 's'), /2 guest disks have serial 's' \(vda, vdb\)/);
});

test('findDiskByPciAddress, with or without the domain', async () => {
  assert.equal(await findDiskByPciAddress(runner(), '0000:01:00.0'), 'vdb');
  assert.equal(await findDiskByPciAddress(runner(), '00:02.0'), 'vda');
  await assert.rejects(
    findDiskByPciAddress(runner(), '00:09.0'),
    /no guest disk with PCI address 0000:00:09\.0; disks seen/,
  );
  assert.equal(normalizePciAddress('00:1C.7'), '0000:00:1c.7');
  assert.throws(() => normalizePciAddress('00:1c'), InputError);
});

test('findDisk falls back from serial to PCI address', async () => {
  assert.deepEqual(await findDisk(runner(), { serial: 'vblk-test', pciAddress: '00:02.0' }), {
    device: 'vdb',
    matchedBy: 'serial',
  });
  assert.deepEqual(await findDisk(runner(), { serial: 'fixed-by-daemon', pciAddress: '00:02.0' }), {
    device: 'vda',
    matchedBy: 'pci',
  });
  await assert.rejects(
    findDisk(runner(), { serial: 'x', pciAddress: '00:09.0' }),
    /no guest disk with serial 'x' or PCI address 0000:00:09\.0/,
  );
});

test('hostile serials are refused before anything is sent', async () => {
  const r = runner();
  await assert.rejects(findDiskBySerial(r, "x'; reboot"), InputError);
  await assert.rejects(findDiskBySerial(r, ''), InputError);
  assert.equal(r.calls.length, 0);
});
