/**
 * Argument arrays of every backend × the boot axes that reach the command
 * line (aio, cache, block-device backing, queue-size, num-queues, vCPUs,
 * poll-max-ns), the storage daemon's argv, and what each backend refuses.
 * vhost-blk cannot run on any host this project has: its argv is tested here only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/model/errors.js';
import { buildQemuArgs } from '../../../src/vm/qemu-args.js';
import { getBackend } from '../../../src/vm/backends/index.js';
import { inapplicableAxes } from '../../../src/plan/backend-traits.js';
import type { DeviceSpec, DiskSpec, QemuLaunchSpec } from '../../../src/vm/launch-spec.js';
import { buildStorageDaemonArgs, storageDaemonCandidates, storageDaemonPaths } from '../../../src/vm/storage-daemon.js';
import { parseDeviceHelp } from '../../../src/vm/host-probe.js';
import { baseSpec, hasSequence, hostFacts, valuesOf } from './fixtures.js';

const DIR = '/tmp/vblk/boot';
const spec = (
  device: Partial<DeviceSpec> & { backend: string },
  disk: Partial<DiskSpec> = {},
  over: Partial<QemuLaunchSpec> = {},
): QemuLaunchSpec => {
  const base = baseSpec();
  return { ...base, ...over, disk: { ...base.disk, ...disk }, device: { ioeventfd: true, hostDir: DIR, ...device } };
};
const deviceOf = (args: string[], type: string) => valuesOf(args, '-device').find((d) => d.startsWith(`${type},`));
function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected a rejection');
}

const AIO = ['threads', 'native', 'io_uring'] as const;
const CACHE = ['none', 'writeback'] as const;

test('aio × cache on every in-QEMU backend: the file node carries both; native needs cache none', () => {
  for (const backend of ['virtio-blk', 'virtio-blk-iothread']) {
    for (const aio of AIO) {
      for (const cache of CACHE) {
        const s = spec({ backend }, { aio, cache });
        if (aio === 'native' && cache === 'writeback') {
          assert.equal(
            rejection(() => buildQemuArgs(s)),
            'disk.aio: aio=native requires cache.direct=on, i.e. cache: none',
          );
          continue;
        }
        const [file] = valuesOf(buildQemuArgs(s), '-blockdev');
        assert.equal(
          file,
          `driver=file,node-name=vblk-file,filename=/tmp/vblk/disk.img,cache.direct=${cache === 'none' ? 'on' : 'off'},aio=${aio},read-only=off`,
        );
      }
    }
  }
});

test('a block-device backing is opened with host_device (QEMU refuses driver=file on one)', () => {
  const args = buildQemuArgs(
    spec({ backend: 'virtio-blk' }, { path: '/dev/loop0', blockDevice: true, readOnly: true }),
  );
  assert.equal(
    valuesOf(args, '-blockdev')[0],
    'driver=host_device,node-name=vblk-file,filename=/dev/loop0,cache.direct=on,aio=io_uring,read-only=on',
  );
});

test('virtio-blk: queue-size, num-queues and vCPUs as given', () => {
  const args = buildQemuArgs(spec({ backend: 'virtio-blk', queueSize: 256, numQueues: 4 }, {}, { vcpus: 4 }));
  assert.ok(hasSequence(args, ['-smp', '4']));
  assert.equal(
    deviceOf(args, 'virtio-blk-pci'),
    'virtio-blk-pci,id=vblk0,drive=vblk-disk,serial=vblk-test,ioeventfd=on,queue-size=256,num-queues=4',
  );
});

test('virtio-blk-iothread: poll-max-ns on the iothread object, only when given', () => {
  const withPoll = buildQemuArgs(spec({ backend: 'virtio-blk-iothread', pollMaxNs: 0 }));
  assert.ok(hasSequence(withPoll, ['-object', 'iothread,id=iothread0,poll-max-ns=0']));
  const big = buildQemuArgs(spec({ backend: 'virtio-blk-iothread', pollMaxNs: 100000 }));
  assert.ok(hasSequence(big, ['-object', 'iothread,id=iothread0,poll-max-ns=100000']));
  assert.ok(hasSequence(buildQemuArgs(spec({ backend: 'virtio-blk-iothread' })), ['-object', 'iothread,id=iothread0']));
  assert.equal(
    rejection(() => buildQemuArgs(spec({ backend: 'virtio-blk', pollMaxNs: 0 }))),
    'device.pollMaxNs: backend virtio-blk has no iothread to poll (use virtio-blk-iothread)',
  );
});

test('vhost-user-blk: shared memfd RAM sized like -m, merged -machine, socket chardev, device without serial/ioeventfd', () => {
  const s = spec({ backend: 'vhost-user-blk', ioeventfd: false, queueSize: 256 }, {}, { memoryMiB: 768 });
  const args = buildQemuArgs(s);
  assert.ok(hasSequence(args, ['-object', 'memory-backend-memfd,id=vblk-mem,size=768M,share=on']));
  // The machine type stays first; QEMU merges the second -machine into it.
  assert.deepEqual(valuesOf(args, '-machine'), ['q35', 'memory-backend=vblk-mem']);
  assert.ok(hasSequence(args, ['-chardev', `socket,id=vblk-vhost-user,path=${DIR}/vhost-user-blk.sock`]));
  // num-queues defaults to the vCPU count (2), explicitly: the export must have as many.
  assert.equal(
    deviceOf(args, 'vhost-user-blk-pci'),
    'vhost-user-blk-pci,id=vblk0,chardev=vblk-vhost-user,queue-size=256,num-queues=2',
  );
  assert.deepEqual(
    valuesOf(args, '-blockdev'),
    [],
    'the disk lives in the daemon: QEMU could not open it (write lock)',
  );
  assert.equal(deviceOf(args, 'virtio-blk-pci'), undefined);
  // ioeventfd on or off: the same argv (the property does not exist).
  assert.deepEqual(buildQemuArgs({ ...s, device: { ...s.device, ioeventfd: true } }), args);
});

test('vhost-user-blk: the daemon argv matches the device (queues, cache, aio, writability)', () => {
  for (const aio of AIO) {
    for (const cache of CACHE) {
      if (aio === 'native' && cache === 'writeback') continue;
      for (const readOnly of [true, false]) {
        const s = spec({ backend: 'vhost-user-blk', numQueues: 3 }, { aio, cache, readOnly });
        const [daemon] = getBackend('vhost-user-blk').hostCommands!(s);
        assert.equal(daemon!.role, 'storage_daemon');
        assert.equal(daemon!.binary, 'qemu-storage-daemon');
        const ro = readOnly ? 'on' : 'off';
        assert.deepEqual(daemon!.args, [
          '--blockdev',
          `driver=file,node-name=vblk-file,filename=/tmp/vblk/disk.img,cache.direct=${cache === 'none' ? 'on' : 'off'},aio=${aio},read-only=${ro}`,
          '--blockdev',
          `driver=raw,node-name=vblk-disk,file=vblk-file,read-only=${ro}`,
          '--export',
          `type=vhost-user-blk,id=vblk-export,node-name=vblk-disk,addr.type=unix,addr.path=${DIR}/vhost-user-blk.sock,writable=${readOnly ? 'off' : 'on'},num-queues=3`,
          '--chardev',
          `socket,id=vblk-qmp,path=${DIR}/storage-daemon.qmp.sock,server=on,wait=off`,
          '--monitor',
          'chardev=vblk-qmp',
        ]);
        assert.match(deviceOf(buildQemuArgs(s), 'vhost-user-blk-pci')!, /,num-queues=3$/);
      }
    }
  }
  const dev = buildStorageDaemonArgs({
    disk: { ...baseSpec().disk, path: '/dev/sdb', blockDevice: true },
    socket: '/s',
    qmpSocket: '/q',
    numQueues: 1,
  });
  assert.equal(
    dev[1],
    'driver=host_device,node-name=vblk-file,filename=/dev/sdb,cache.direct=on,aio=io_uring,read-only=off',
  );
  assert.deepEqual(storageDaemonPaths('/b'), {
    socket: '/b/vhost-user-blk.sock',
    qmpSocket: '/b/storage-daemon.qmp.sock',
    log: '/b/storage-daemon.log',
    traceEvents: '/b/storage-daemon.trace-events',
  });
});

test("vhost-user-blk: a measured daemon has no --trace; a traced boot's has exactly one, events file + ftrace marker", () => {
  const s = spec({ backend: 'vhost-user-blk' });
  const measured = getBackend('vhost-user-blk').hostCommands!(s)[0]!.args;
  assert.ok(!measured.some((a) => a.startsWith('--trace') || a.startsWith('-T')), measured.join(' '));
  const marker = '/sys/kernel/tracing/instances/vblk-bench-1-1/trace_marker';
  const traced = getBackend('vhost-user-blk').hostCommands!({
    ...s,
    daemonTrace: { output: marker, events: ['blk_co_preadv'] },
  })[0]!.args;
  assert.deepEqual(
    traced.filter((a) => a === '--trace'),
    ['--trace'],
  );
  assert.equal(traced[traced.indexOf('--trace') + 1], `events=${DIR}/storage-daemon.trace-events,file=${marker}`);
  // Everything else is the measured daemon's argv.
  assert.deepEqual(traced.slice(2), measured);
});

test('the storage daemon is looked for beside a QEMU path (build trees: storage-daemon/), then on PATH', () => {
  assert.deepEqual(storageDaemonCandidates('qemu-system-x86_64'), ['qemu-storage-daemon']);
  assert.deepEqual(storageDaemonCandidates('/src/qemu/build/qemu-system-x86_64'), [
    '/src/qemu/build/qemu-storage-daemon',
    '/src/qemu/build/storage-daemon/qemu-storage-daemon',
    'qemu-storage-daemon',
  ]);
});

test('vhost-user-blk refuses what cannot work', () => {
  const s = (device: Partial<DeviceSpec>, over: Partial<QemuLaunchSpec> = {}) =>
    spec({ backend: 'vhost-user-blk', ...device }, {}, over);
  assert.equal(
    rejection(() => buildQemuArgs(s({ hostDir: undefined }))),
    'device.hostDir: vhost-user-blk needs a directory for its socket and qemu-storage-daemon files',
  );
  const long = `/tmp/${'d'.repeat(90)}`;
  assert.equal(
    rejection(() => buildQemuArgs(s({ hostDir: long }))),
    `device.hostDir: the vhost-user socket ${long}/vhost-user-blk.sock is ${long.length + 20} bytes; unix socket paths must be shorter than 108`,
  );
  assert.equal(
    rejection(() => buildQemuArgs(s({}, { machine: 'q35,memory-backend=ram0' }))),
    'machine: vhost-user-blk sets its own memory-backend (shared memfd guest RAM); remove memory-backend= from "q35,memory-backend=ram0"',
  );
  assert.equal(
    rejection(() => buildQemuArgs(s({}, { machine: 'microvm' }))),
    'machine: vhost-user-blk-pci needs a PCI machine (q35 or pc); microvm has no PCI bus',
  );
  assert.equal(
    rejection(() => buildQemuArgs(s({ pollMaxNs: 0 }))),
    'device.pollMaxNs: backend vhost-user-blk has no iothread to poll (use virtio-blk-iothread)',
  );
  assert.equal(
    rejection(() => buildQemuArgs(s({ iothreadId: 'io0' }))),
    'device.iothreadId: backend vhost-user-blk does not use an iothread (use virtio-blk-iothread)',
  );
  assert.match(
    rejection(() => buildQemuArgs(s({ queueSize: 100 }))),
    /^device\.queueSize: 100 is not possible/,
  );
  assert.match(
    rejection(() => buildQemuArgs(s({ numQueues: 0 }))),
    /^device\.numQueues: 0 is not possible/,
  );
});

test('vhost-blk (never exercised here): host_device node + vhost-blk-pci with explicit queues', () => {
  const s = spec({ backend: 'vhost-blk', queueSize: 256 }, { path: '/dev/loop0', blockDevice: true, readOnly: true });
  const args = buildQemuArgs(s);
  assert.deepEqual(valuesOf(args, '-blockdev'), [
    'driver=host_device,node-name=vblk-file,filename=/dev/loop0,cache.direct=on,aio=io_uring,read-only=on',
    'driver=raw,node-name=vblk-disk,file=vblk-file,read-only=on',
  ]);
  assert.equal(deviceOf(args, 'vhost-blk-pci'), 'vhost-blk-pci,id=vblk0,drive=vblk-disk,queue-size=256,num-queues=2');
  assert.deepEqual(valuesOf(args, '-machine'), ['q35'], 'no shared memory needed: the kernel maps guest RAM itself');
  assert.equal(getBackend('vhost-blk').hostCommands, undefined);
  assert.equal(
    rejection(() => buildQemuArgs(spec({ backend: 'vhost-blk' }))),
    'disk.path: vhost-blk needs a raw block device (S_ISBLK) as backing, e.g. a loop device made with `losetup --find --show FILE`; /tmp/vblk/disk.img is not one',
  );
});

const facts = hostFacts;

test('vhost-blk host support: each of the three requirements, with what would make it work', () => {
  const support = getBackend('vhost-blk').hostSupport!;
  assert.equal(
    support(facts()),
    'in-kernel vhost-blk is not available on this host: ' +
      '/dev/vhost-blk does not exist (module vhost_blk was never merged upstream: build and load the out-of-tree module of the 2022 "vhost-blk: in-kernel accelerator for virtio-blk guests" series); ' +
      'qemu-system-x86_64 has no device vhost-blk-pci (needs a QEMU built with the vhost-blk patches of the same series; set qemu.binary to it); ' +
      'the backing store is a file vblk-bench creates on /dev/shm, not a raw block device (set disk.path to a block device, e.g. a loop device made with `losetup --find --show FILE`)',
  );
  const ready = facts({
    nodes: { '/dev/vhost-blk': true },
    qemuDevices: ['vhost-blk-pci'],
    backing: { path: '/dev/loop0', blockDevice: true },
  });
  assert.equal(support(ready), null);
  assert.equal(
    support({ ...ready, backing: { path: '/srv/disk.raw', blockDevice: false } }),
    'in-kernel vhost-blk is not available on this host: the backing /srv/disk.raw is not a raw block device (set disk.path to a block device, e.g. a loop device made with `losetup --find --show FILE`)',
  );
  assert.equal(
    support({ ...ready, qemuDevices: null, qemuDevicesError: 'boom' }),
    'in-kernel vhost-blk is not available on this host: cannot list the devices of qemu-system-x86_64 (boom)',
  );
  assert.deepEqual(getBackend('vhost-blk').hostNodes, ['/dev/vhost-blk']);
});

test('vhost-user-blk host support: the daemon and the device', () => {
  const support = getBackend('vhost-user-blk').hostSupport!;
  assert.equal(support(facts()), null);
  assert.equal(
    support(facts({ storageDaemon: null, qemuDevices: ['virtio-blk-pci'] })),
    'vhost-user-blk is not available on this host: qemu-storage-daemon was not found (looked beside qemu-system-x86_64 and on PATH): install qemu-system-common (Debian), or build QEMU with --enable-tools; ' +
      'qemu-system-x86_64 has no device vhost-user-blk-pci (a QEMU built with --enable-vhost-user has it)',
  );
  assert.equal(getBackend('virtio-blk').hostSupport, undefined);
});

test('axes that do not apply, per backend', () => {
  assert.deepEqual(inapplicableAxes('virtio-blk'), {
    poll_max_ns: 'virtio-blk uses no QEMU iothread, so there is no poll-max-ns to set',
  });
  assert.deepEqual(inapplicableAxes('virtio-blk-iothread'), {});
  assert.deepEqual(Object.keys(inapplicableAxes('vhost-user-blk')), ['ioeventfd', 'poll_max_ns']);
  assert.deepEqual(Object.keys(inapplicableAxes('vhost-blk')), ['ioeventfd', 'poll_max_ns']);
});

test('-device help parsing', () => {
  const text =
    'Storage devices:\nname "virtio-blk-pci", bus PCI, alias "virtio-blk"\nname "vhost-user-blk-pci", bus PCI\n\nMisc devices:\nname "pvpanic"\n';
  assert.deepEqual(parseDeviceHelp(text), ['virtio-blk-pci', 'vhost-user-blk-pci', 'pvpanic']);
});
