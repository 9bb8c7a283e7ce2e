/**
 * In-kernel vhost-blk: the host kernel serves the virtqueues and submits bios
 * straight to a block device. It was never merged upstream (posted 2010,
 * 2011 — the thread behind this tool —, 2012, 2018, 2022); a host that
 * carries the 2022 series has `/dev/vhost-blk` (module vhost_blk) and a QEMU
 * with device `vhost-blk-pci` (properties drive, num-queues, queue-size,
 * num-threads), and the backing must be a raw block device (S_ISBLK).
 *
 * The plan checks all three on the host (hostSupport); where one is missing
 * the cells are `unsupported` with the reason. The argv is unit-tested only:
 * no machine this project runs on has vhost-blk, so it is never exercised.
 */
import { DEVICE_ID, DISK_NODE } from '../launch-spec.js';
import type { BlockBackend } from './backend.js';
import { blockdevArgs } from './blockdev.js';
import { checkPciMachine, checkVhostCommon, vhostQueueProps } from './vhost-common.js';

const NAME = 'vhost-blk';
const VHOST_BLK_NODE = '/dev/vhost-blk';
const VHOST_BLK_DEVICE = 'vhost-blk-pci';
const LOOP_HINT = 'e.g. a loop device made with `losetup --find --show FILE`';

export const vhostBlk: BlockBackend = {
  name: NAME,
  ioeventfdApplies: false,
  usesIothread: false,
  // The 2022 device has no serial property either.
  locateBy: 'pci',
  hostNodes: [VHOST_BLK_NODE],
  hostSupport(host) {
    const missing: string[] = [];
    if (!host.nodes[VHOST_BLK_NODE]) {
      missing.push(
        `${VHOST_BLK_NODE} does not exist (module vhost_blk was never merged upstream: build and load the out-of-tree module of the 2022 "vhost-blk: in-kernel accelerator for virtio-blk guests" series)`,
      );
    }
    if (host.qemuDevices === null) {
      missing.push(`cannot list the devices of ${host.qemuBinary} (${host.qemuDevicesError ?? 'qemu -device help failed'})`);
    } else if (!host.qemuDevices.includes(VHOST_BLK_DEVICE)) {
      missing.push(`${host.qemuBinary} has no device ${VHOST_BLK_DEVICE} (needs a QEMU built with the vhost-blk patches of the same series; set qemu.binary to it)`);
    }
    if (!host.backing.blockDevice) {
      missing.push(
        host.backing.path === null
          ? `the backing store is a file vblk-bench creates on /dev/shm, not a raw block device (set disk.path to a block device, ${LOOP_HINT})`
          : `the backing ${host.backing.path} is not a raw block device (set disk.path to a block device, ${LOOP_HINT})`,
      );
    }
    return missing.length === 0 ? null : `in-kernel vhost-blk is not available on this host: ${missing.join('; ')}`;
  },
  check(spec) {
    const common = checkVhostCommon(spec, NAME) ?? checkPciMachine(spec, VHOST_BLK_DEVICE);
    if (common) return common;
    if (!spec.disk.blockDevice) return `disk.path: vhost-blk needs a raw block device (S_ISBLK) as backing, ${LOOP_HINT}; ${spec.disk.path} is not one`;
    return null;
  },
  args(spec) {
    return [
      ...blockdevArgs(spec.disk),
      '-device', [`${VHOST_BLK_DEVICE},id=${DEVICE_ID},drive=${DISK_NODE}`, ...vhostQueueProps(spec)].join(','),
    ];
  },
};
