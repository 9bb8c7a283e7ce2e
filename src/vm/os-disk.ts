/**
 * QEMU arguments of a guest that boots from its own disk image through the
 * firmware (SeaBIOS) instead of `-kernel`: the OS disk first, with
 * bootindex 0 and a lower PCI slot than the test disk, then the cloud-init
 * seed, read-only. The test disk (the backend's business) comes after both.
 */
import { type OsDiskSpec, type QemuLaunchSpec } from './launch-spec.js';
import { escapeOptValue } from './qemu-opts.js';

const OS_DISK_NODE = 'vblk-os';
const OS_DISK_DEVICE = 'vblk-osdisk';
const OS_DISK_SERIAL = 'vblk-os';
const SEED_NODE = 'vblk-seed';
const SEED_DEVICE = 'vblk-seeddisk';
const SEED_SERIAL = 'vblk-seed';

/** null if the boot source of the spec is consistent, else why not. */
export function checkBootSource(spec: Pick<QemuLaunchSpec, 'kernel' | 'initrd' | 'append' | 'osDisk'>): string | null {
  if (spec.osDisk === undefined) return spec.kernel === '' ? 'kernel: empty (and no osDisk to boot from)' : null;
  if (spec.kernel !== '' || spec.initrd !== '')
    return 'osDisk: a guest booted from its own disk takes no kernel or initrd';
  if (spec.osDisk.path === '') return 'osDisk.path: empty';
  return null;
}

function osDiskArgs(os: OsDiskSpec): string[] {
  const args = [
    '-blockdev',
    `driver=${os.format},node-name=${OS_DISK_NODE},file.driver=file,file.filename=${escapeOptValue(os.path)}`,
    '-device',
    `virtio-blk-pci,id=${OS_DISK_DEVICE},drive=${OS_DISK_NODE},serial=${OS_DISK_SERIAL},bootindex=0`,
  ];
  if (os.seedPath !== '') {
    args.push(
      '-blockdev',
      `driver=raw,node-name=${SEED_NODE},read-only=on,file.driver=file,file.filename=${escapeOptValue(os.seedPath)},file.read-only=on`,
      '-device',
      `virtio-blk-pci,id=${SEED_DEVICE},drive=${SEED_NODE},serial=${SEED_SERIAL}`,
    );
  }
  return args;
}

/** `-kernel/-initrd/-append` for a kernel boot, the OS disk (+ seed) for a firmware boot. */
export function bootSourceArgs(spec: Pick<QemuLaunchSpec, 'kernel' | 'initrd' | 'append' | 'osDisk'>): string[] {
  if (spec.osDisk !== undefined) return osDiskArgs(spec.osDisk);
  return ['-kernel', spec.kernel, ...(spec.initrd === '' ? [] : ['-initrd', spec.initrd]), '-append', spec.append];
}
