/**
 * From a plan group to the exact QEMU launch spec — pure, so --dry-run prints
 * the same command line a run executes, and the KVM variant (never exercised
 * on machines without KVM) is built by the very same code as the TCG one.
 */
import { join } from 'node:path';
import type { Accel } from '../model/sample.js';
import type { Profile } from '../profile/schema.js';
import type { BootGroup } from '../plan/groups.js';
import type { QemuLaunchSpec } from '../vm/launch-spec.js';
import { MiB } from '../profile/units.js';
import { anyCellWrites } from './cell-job.js';
import { bootConfig } from '../plan/boot-config.js';
import { getBackend } from '../vm/backends/index.js';

/** virtio serial of the disk under test: how the guest finds it (never assume /dev/vda). */
const TEST_DISK_SERIAL = 'vblk-test';
const IOTHREAD_ID = 'iothread0';

export interface LaunchContext {
  profile: Profile;
  accel: Accel;
  kernelPath: string;
  initrdPath: string;
  backingPath: string;
  bootDir: string;
  sshHostPort: number;
  /** A traced boot of vhost-user-blk: the storage daemon's trace (launch-spec.ts). */
  daemonTrace?: QemuLaunchSpec['daemonTrace'];
}

export function kernelCmdline(): string {
  // panic=-1 + -no-reboot: a guest that panics makes QEMU exit at once instead of hanging the boot timeout.
  return 'console=ttyS0 panic=-1 quiet loglevel=4';
}

/**
 * Whether a backing path names a block device (QEMU's `host_device` driver):
 * a node under /dev other than tmpfs (/dev/shm). The plan's host probe and
 * the backing store stat the real path; the launch spec stays pure.
 */
function isBlockDevicePath(path: string): boolean {
  return path.startsWith('/dev/') && !path.startsWith('/dev/shm/');
}

/** QEMU's trace log in a boot directory: a scratch file, removed when the guest stops (traces/ keeps its part). */
export const QEMU_TRACE_LOG = 'qemu-trace.log';

export function launchSpecFor(group: BootGroup, ctx: LaunchContext): QemuLaunchSpec {
  const boot = bootConfig(group.boot, group.options, ctx.profile);
  const backend = getBackend(boot.backend);
  const { qemu, disk } = ctx.profile;
  return {
    binary: qemu.binary,
    accel: ctx.accel,
    machine: qemu.machine,
    memoryMiB: Math.round(qemu.memory / MiB),
    vcpus: boot.vcpus,
    name: 'vblk',
    kernel: ctx.kernelPath,
    initrd: ctx.initrdPath,
    append: kernelCmdline(),
    qmpSocket: join(ctx.bootDir, 'qmp.sock'),
    serialLog: join(ctx.bootDir, 'serial.log'),
    ...(ctx.profile.trace === 'latency' ? { traceLog: join(ctx.bootDir, QEMU_TRACE_LOG) } : {}),
    ...(ctx.daemonTrace ? { daemonTrace: ctx.daemonTrace } : {}),
    sshHostPort: ctx.sshHostPort,
    disk: {
      path: ctx.backingPath,
      format: disk.format,
      cache: boot.cache,
      aio: boot.aio,
      serial: TEST_DISK_SERIAL,
      readOnly: !anyCellWrites(ctx.profile, group.cells),
      blockDevice: isBlockDevicePath(ctx.backingPath),
    },
    device: {
      backend: boot.backend,
      ioeventfd: boot.ioeventfd,
      iothreadId: backend.usesIothread ? IOTHREAD_ID : undefined,
      queueSize: boot.queueSize,
      numQueues: boot.numQueues,
      ...(boot.pollMaxNs === undefined ? {} : { pollMaxNs: boot.pollMaxNs }),
      hostDir: ctx.bootDir,
    },
    extraArgs: qemu.extra_args,
  };
}
