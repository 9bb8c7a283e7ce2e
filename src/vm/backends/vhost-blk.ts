/**
 * In-kernel vhost-blk: the host kernel serves the virtqueues and submits bios
 * straight to a block device. It was never merged upstream (posted 2010,
 * 2011 — the thread behind this tool —, 2012, 2018, 2022); a host that
 * carries the 2022 series has `/dev/vhost-blk` (module vhost_blk) and a QEMU
 * with device `vhost-blk-pci` (properties drive, num-queues, queue-size,
 * num-threads), and the backing must be a raw block device (S_ISBLK).
 *
 * The plan checks all three on the host (plan/backend-traits.ts); where one is missing
 * the cells are `unsupported` with the reason. The argv is unit-tested only:
 * no machine this project runs on has vhost-blk, so it is never exercised.
 */
import { DEVICE_ID, DISK_NODE } from '../launch-spec.js';
import type { BlockBackend } from './backend.js';
import { backendTraits } from '../../plan/backend-traits.js';
import { blockdevArgs } from './blockdev.js';
import { checkPciMachine, checkVhostCommon, vhostQueueProps } from './vhost-common.js';

const TRAITS = backendTraits('vhost-blk');
const LOOP_HINT = 'e.g. a loop device made with `losetup --find --show FILE`';

export const vhostBlk: BlockBackend = {
  ...TRAITS,
  check(spec) {
    const common = checkVhostCommon(spec, TRAITS.name) ?? checkPciMachine(spec, TRAITS.deviceType);
    if (common) return common;
    if (!spec.disk.blockDevice)
      return `disk.path: vhost-blk needs a raw block device (S_ISBLK) as backing, ${LOOP_HINT}; ${spec.disk.path} is not one`;
    return null;
  },
  args(spec) {
    return [
      ...blockdevArgs(spec.disk),
      '-device',
      [`${TRAITS.deviceType},id=${DEVICE_ID},drive=${DISK_NODE}`, ...vhostQueueProps(spec)].join(','),
    ];
  },
};
