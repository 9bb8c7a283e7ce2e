import type { QemuLaunchSpec } from '../../../src/vm/launch-spec.js';
import type { HostFacts } from '../../../src/plan/host-facts.js';

/** A complete, valid spec; tests override what they look at. */
export function baseSpec(over: Partial<QemuLaunchSpec> = {}): QemuLaunchSpec {
  return {
    binary: 'qemu-system-x86_64',
    accel: 'tcg',
    machine: 'q35',
    memoryMiB: 512,
    vcpus: 2,
    name: 'vblk-test',
    kernel: '/img/vmlinuz',
    initrd: '/img/initramfs',
    append: 'console=ttyS0 panic=-1',
    qmpSocket: '/tmp/vblk/qmp.sock',
    serialLog: '/tmp/vblk/serial.log',
    sshHostPort: 2222,
    disk: {
      path: '/tmp/vblk/disk.img',
      format: 'raw',
      cache: 'none',
      aio: 'io_uring',
      serial: 'vblk-test',
      readOnly: false,
    },
    device: { backend: 'virtio-blk', ioeventfd: true },
    extraArgs: [],
    ...over,
  };
}

/** The value following `flag` each time it occurs. */
export function valuesOf(args: string[], flag: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === flag && i + 1 < args.length) out.push(args[i + 1]!);
  });
  return out;
}

/** True when `seq` occurs in `args` as consecutive elements. */
export function hasSequence(args: string[], seq: string[]): boolean {
  for (let i = 0; i + seq.length <= args.length; i++) {
    if (seq.every((s, j) => args[i + j] === s)) return true;
  }
  return false;
}

/** Host facts of a machine like this project's: QEMU 7.2 with qemu-storage-daemon, no vhost-blk, 2 CPUs, a tmpfs backing file. */
export function hostFacts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    qemuBinary: 'qemu-system-x86_64',
    qemuDevices: ['virtio-blk-pci', 'vhost-user-blk-pci'],
    nodes: { '/dev/vhost-blk': false },
    storageDaemon: '/usr/bin/qemu-storage-daemon',
    backing: { path: null, blockDevice: false },
    onlineCpus: [0, 1],
    allowedCpus: [0, 1],
    ...over,
  };
}
