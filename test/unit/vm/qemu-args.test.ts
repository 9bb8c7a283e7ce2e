import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/model/errors.js';
import { buildQemuArgs } from '../../../src/vm/qemu-args.js';
import { commandLine } from '../../../src/util/shell-quote.js';
import { getBackend } from '../../../src/vm/backends/index.js';
import { BACKEND_NAMES } from '../../../src/profile/axes.js';
import { escapeOptValue } from '../../../src/vm/qemu-opts.js';
import { baseSpec, hasSequence, valuesOf } from './fixtures.js';

const deviceArg = (args: string[]) => {
  const d = valuesOf(args, '-device').find((v) => v.startsWith('virtio-blk-pci,'));
  assert.ok(d, 'a virtio-blk-pci -device');
  return d;
};

test('tcg argv: accel, cpu, common options, in order, without the binary', () => {
  const args = buildQemuArgs(baseSpec());
  assert.notEqual(args[0], 'qemu-system-x86_64');
  assert.ok(hasSequence(args, ['-name', 'vblk-test,debug-threads=on']));
  assert.ok(hasSequence(args, ['-machine', 'q35']));
  assert.ok(hasSequence(args, ['-accel', 'tcg']));
  assert.ok(hasSequence(args, ['-cpu', 'max']));
  assert.ok(!args.includes('host'));
  assert.ok(hasSequence(args, ['-m', '512M', '-smp', '2']));
  assert.ok(hasSequence(args, ['-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot']));
  assert.ok(
    hasSequence(args, ['-kernel', '/img/vmlinuz', '-initrd', '/img/initramfs', '-append', 'console=ttyS0 panic=-1']),
  );
  assert.ok(hasSequence(args, ['-serial', 'file:/tmp/vblk/serial.log']));
  assert.ok(hasSequence(args, ['-qmp', 'unix:/tmp/vblk/qmp.sock,server=on,wait=off']));
  assert.ok(hasSequence(args, ['-netdev', 'user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22']));
  assert.ok(hasSequence(args, ['-device', 'virtio-net-pci,netdev=net0,romfile=']));
  assert.deepEqual(valuesOf(args, '-blockdev'), [
    'driver=file,node-name=vblk-file,filename=/tmp/vblk/disk.img,cache.direct=on,aio=io_uring,read-only=off',
    'driver=raw,node-name=vblk-disk,file=vblk-file,read-only=off',
  ]);
  assert.equal(deviceArg(args), 'virtio-blk-pci,id=vblk0,drive=vblk-disk,serial=vblk-test,ioeventfd=on');
  assert.ok(!args.includes('-object'));
});

test('kvm argv: -accel kvm and -cpu host (built, never exercised on this host)', () => {
  const args = buildQemuArgs(baseSpec({ accel: 'kvm' }));
  assert.ok(hasSequence(args, ['-accel', 'kvm']));
  assert.ok(hasSequence(args, ['-cpu', 'host']));
  assert.ok(!args.includes('tcg') && !args.includes('max'));
  // Everything else is the same as for TCG.
  const tcg = buildQemuArgs(baseSpec());
  assert.deepEqual(
    args.filter((a) => !['kvm', 'host'].includes(a)),
    tcg.filter((a) => !['tcg', 'max'].includes(a)),
  );
});

test('ioeventfd on/off and the device readback id', () => {
  assert.match(deviceArg(buildQemuArgs(baseSpec())), /,ioeventfd=on(,|$)/);
  const off = deviceArg(buildQemuArgs(baseSpec({ device: { backend: 'virtio-blk', ioeventfd: false } })));
  assert.match(off, /,ioeventfd=off(,|$)/);
  assert.match(off, /^virtio-blk-pci,id=vblk0,drive=vblk-disk,/);
});

test('iothread backend: -object iothread before the device, iothread= on the device', () => {
  const args = buildQemuArgs(
    baseSpec({ device: { backend: 'virtio-blk-iothread', ioeventfd: true, iothreadId: 'io1' } }),
  );
  assert.ok(hasSequence(args, ['-object', 'iothread,id=io1']));
  const dev = deviceArg(args);
  assert.equal(dev, 'virtio-blk-pci,id=vblk0,drive=vblk-disk,serial=vblk-test,ioeventfd=on,iothread=io1');
  assert.ok(args.indexOf('-object') < args.indexOf(dev));
  // default id
  const dflt = buildQemuArgs(baseSpec({ device: { backend: 'virtio-blk-iothread', ioeventfd: true } }));
  assert.ok(hasSequence(dflt, ['-object', 'iothread,id=iothread0']));
  assert.match(deviceArg(dflt), /,iothread=iothread0$/);
});

test('queue-size and num-queues only when given', () => {
  const dev = deviceArg(
    buildQemuArgs(baseSpec({ device: { backend: 'virtio-blk', ioeventfd: true, queueSize: 128, numQueues: 4 } })),
  );
  assert.match(dev, /,queue-size=128,num-queues=4$/);
  assert.doesNotMatch(deviceArg(buildQemuArgs(baseSpec())), /queue-size|num-queues/);
});

test('cache writeback / aio threads / read-only', () => {
  const args = buildQemuArgs(
    baseSpec({
      disk: { path: '/d.img', format: 'raw', cache: 'writeback', aio: 'threads', serial: 's', readOnly: true },
    }),
  );
  assert.deepEqual(valuesOf(args, '-blockdev'), [
    'driver=file,node-name=vblk-file,filename=/d.img,cache.direct=off,aio=threads,read-only=on',
    'driver=raw,node-name=vblk-disk,file=vblk-file,read-only=on',
  ]);
});

test('commas are doubled where QEMU parses key=value, and only there', () => {
  const args = buildQemuArgs(
    baseSpec({
      name: 'a,b',
      qmpSocket: '/tmp/x,y/qmp.sock',
      serialLog: '/tmp/x,y/serial.log',
      kernel: '/k,1',
      initrd: '/i,1',
      append: 'a=1,2',
      disk: {
        path: '/tmp/x,y/disk,1.img',
        format: 'raw',
        cache: 'none',
        aio: 'native',
        serial: 's,1',
        readOnly: false,
      },
    }),
  );
  assert.ok(hasSequence(args, ['-name', 'a,,b,debug-threads=on']));
  assert.ok(hasSequence(args, ['-qmp', 'unix:/tmp/x,,y/qmp.sock,server=on,wait=off']));
  assert.ok(valuesOf(args, '-blockdev')[0]!.includes(',filename=/tmp/x,,y/disk,,1.img,cache.direct=on,'));
  assert.match(deviceArg(args), /,serial=s,,1,/);
  // Literal in QEMU 7.2 (checked against the binary: doubling would create `ser,,1.log`).
  assert.ok(hasSequence(args, ['-serial', 'file:/tmp/x,y/serial.log']));
  assert.ok(hasSequence(args, ['-kernel', '/k,1', '-initrd', '/i,1', '-append', 'a=1,2']));
  assert.equal(escapeOptValue(',,'), ',,,,');
});

test('no -initrd for an empty initrd; extraArgs last and verbatim', () => {
  const args = buildQemuArgs(baseSpec({ initrd: '', extraArgs: ['-S', '-global', 'x=y,z'] }));
  assert.ok(!args.includes('-initrd'));
  assert.deepEqual(args.slice(-3), ['-S', '-global', 'x=y,z']);
});

function rejection(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputError, `expected InputError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

test("rejects ioeventfd off with iothread, in our words naming QEMU's rule", () => {
  const err = rejection(() =>
    buildQemuArgs(baseSpec({ device: { backend: 'virtio-blk-iothread', ioeventfd: false } })),
  );
  assert.equal(
    err.message,
    'device.ioeventfd: ioeventfd is required for iothread (QEMU refuses ioeventfd=off with iothread=)',
  );
  assert.equal(err.source, 'qemu launch spec');
});

test('rejects aio=native without cache none', () => {
  const spec = baseSpec();
  const err = rejection(() => buildQemuArgs({ ...spec, disk: { ...spec.disk, aio: 'native', cache: 'writeback' } }));
  assert.equal(err.message, 'disk.aio: aio=native requires cache.direct=on, i.e. cache: none');
  // native with cache none is fine
  assert.ok(buildQemuArgs({ ...spec, disk: { ...spec.disk, aio: 'native', cache: 'none' } }).length > 0);
});

test("other impossible specs are rejected with QEMU's limits", () => {
  const dev = (d: object) => baseSpec({ device: { backend: 'virtio-blk', ioeventfd: true, ...d } });
  assert.match(
    rejection(() => buildQemuArgs(dev({ queueSize: 100 }))).message,
    /queueSize: 100 .*power of two > 2 and <= 1024/,
  );
  assert.match(rejection(() => buildQemuArgs(dev({ queueSize: 2 }))).message, /queueSize/);
  assert.match(rejection(() => buildQemuArgs(dev({ queueSize: 2048 }))).message, /queueSize/);
  assert.match(rejection(() => buildQemuArgs(dev({ numQueues: 0 }))).message, /numQueues: 0 .*1\.\.1024/);
  assert.match(rejection(() => buildQemuArgs(dev({ numQueues: 1025 }))).message, /numQueues/);
  assert.match(rejection(() => buildQemuArgs(dev({ iothreadId: 'io0' }))).message, /does not use an iothread/);
  assert.match(
    rejection(() =>
      buildQemuArgs(baseSpec({ device: { backend: 'virtio-blk-iothread', ioeventfd: true, iothreadId: '1x' } })),
    ).message,
    /not a QEMU identifier/,
  );
  assert.match(
    rejection(() => buildQemuArgs(dev({ backend: 'vhost-nope' }))).message,
    /unknown backend "vhost-nope" \(known: virtio-blk, virtio-blk-iothread, vhost-user-blk, vhost-blk\)/,
  );
  assert.match(
    rejection(() => buildQemuArgs(baseSpec({ qmpSocket: `/tmp/${'a'.repeat(110)}.sock` }))).message,
    /shorter than 108 bytes/,
  );
  const spec = baseSpec();
  assert.match(
    rejection(() => buildQemuArgs({ ...spec, disk: { ...spec.disk, serial: 'x'.repeat(21) } })).message,
    /longer than 20 bytes/,
  );
  // Several problems: one line each.
  const multi = rejection(() => buildQemuArgs(baseSpec({ memoryMiB: 0, vcpus: 1.5 })));
  assert.equal(multi.lines.length, 2);
  // port 0 is allowed (slirp picks one); 65536 is not
  assert.ok(buildQemuArgs(baseSpec({ sshHostPort: 0 })).includes('user,id=net0,hostfwd=tcp:127.0.0.1:0-:22'));
  assert.match(rejection(() => buildQemuArgs(baseSpec({ sshHostPort: 65536 }))).message, /sshHostPort/);
});

test('backend registry: every backend name has one backend, and its -device is the type its traits name', () => {
  assert.deepEqual(BACKEND_NAMES, ['virtio-blk', 'virtio-blk-iothread', 'vhost-user-blk', 'vhost-blk']);
  for (const name of BACKEND_NAMES) {
    const b = getBackend(name);
    assert.equal(b.name, name);
    assert.equal(b.deviceType, name.startsWith('virtio-blk') ? 'virtio-blk-pci' : `${name}-pci`);
    // In-QEMU virtio-blk has the ioeventfd property; the vhost paths do not.
    assert.equal(b.ioeventfdApplies, name.startsWith('virtio-blk'));
    assert.equal(b.usesIothread, name === 'virtio-blk-iothread');
    assert.equal(b.locateBy, name.startsWith('virtio-blk') ? 'serial' : 'pci');
  }
  assert.equal(
    getBackend('virtio-blk-iothread').check(baseSpec({ device: { backend: 'virtio-blk-iothread', ioeventfd: true } })),
    null,
  );
});

test('a real launch spec renders as one copy-pasteable line', () => {
  const spec = baseSpec();
  const line = commandLine([spec.binary, ...buildQemuArgs(spec)]);
  assert.ok(line.startsWith('qemu-system-x86_64 -name vblk-test,debug-threads=on '));
  assert.ok(line.includes(" -append 'console=ttyS0 panic=-1' "));
  assert.ok(!line.includes('\n'));
});
