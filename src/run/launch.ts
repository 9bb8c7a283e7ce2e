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

/** virtio serial of the disk under test: how the guest finds it (never assume /dev/vda). */
export const TEST_DISK_SERIAL = 'vblk-test';
export const IOTHREAD_ID = 'iothread0';
/** Printed by the built-in guest's init once sshd listens. */
export const GUEST_READY_MARKER = 'VBLK-GUEST-READY';
export const GUEST_FAILED_MARKER = 'VBLK-GUEST-FAILED';

export interface LaunchContext {
  profile: Profile;
  accel: Accel;
  kernelPath: string;
  initrdPath: string;
  backingPath: string;
  bootDir: string;
  sshHostPort: number;
}

export function kernelCmdline(): string {
  // panic=-1 + -no-reboot: a guest that panics makes QEMU exit at once instead of hanging the boot timeout.
  return 'console=ttyS0 panic=-1 quiet loglevel=4';
}

export function launchSpecFor(group: BootGroup, ctx: LaunchContext): QemuLaunchSpec {
  const backendOptions = group.options.backend ?? {};
  const backend = String(backendOptions.backend ?? group.boot.backend);
  const { qemu, disk } = ctx.profile;
  return {
    binary: qemu.binary,
    accel: ctx.accel,
    machine: qemu.machine,
    memoryMiB: Math.round(qemu.memory / MiB),
    vcpus: qemu.vcpus,
    name: 'vblk',
    kernel: ctx.kernelPath,
    initrd: ctx.initrdPath,
    append: kernelCmdline(),
    qmpSocket: join(ctx.bootDir, 'qmp.sock'),
    serialLog: join(ctx.bootDir, 'serial.log'),
    sshHostPort: ctx.sshHostPort,
    disk: { path: ctx.backingPath, format: disk.format, cache: disk.cache, aio: disk.aio, serial: TEST_DISK_SERIAL, readOnly: !anyCellWrites(ctx.profile, group.cells) },
    device: {
      backend,
      ioeventfd: group.boot.ioeventfd !== 'off',
      iothreadId: backend === 'virtio-blk-iothread' ? IOTHREAD_ID : undefined,
      queueSize: backendOptions.queue_size as number | undefined,
      numQueues: backendOptions.num_queues as number | undefined,
    },
    extraArgs: qemu.extra_args,
  };
}
