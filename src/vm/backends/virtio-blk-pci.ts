/**
 * Shared implementation of the in-QEMU virtio-blk-pci paths. The plain and
 * the iothread backend differ only in whether the device gets an iothread.
 */
import type { QemuLaunchSpec } from '../launch-spec.js';
import { DEFAULT_IOTHREAD_ID, DEVICE_ID, DISK_NODE } from '../launch-spec.js';
import { QEMU_ID_RE, escapeOptValue, onOff } from '../qemu-opts.js';
import type { BlockBackend } from './backend.js';
import { blockdevArgs, checkDisk } from './blockdev.js';

/** VIRTIO_BLK_ID_BYTES: QEMU silently truncates longer serials in the guest. */
export const VIRTIO_BLK_SERIAL_MAX = 20;
/** VIRTQUEUE_MAX_SIZE and VIRTIO_QUEUE_MAX in QEMU 7.2. */
export const VIRTQUEUE_MAX_SIZE = 1024;
export const VIRTIO_QUEUE_MAX = 1024;

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/** Checks of the virtio-blk device properties shared by every virtio-blk backend. */
export function checkVirtioBlkDevice(spec: QemuLaunchSpec): string | null {
  const { device, disk } = spec;
  if (device.queueSize !== undefined) {
    const q = device.queueSize;
    if (!isPowerOfTwo(q) || q <= 2 || q > VIRTQUEUE_MAX_SIZE) {
      return `device.queueSize: ${q} is not possible: QEMU needs a power of two > 2 and <= ${VIRTQUEUE_MAX_SIZE}`;
    }
  }
  if (device.numQueues !== undefined) {
    const n = device.numQueues;
    if (!Number.isInteger(n) || n < 1 || n > VIRTIO_QUEUE_MAX) {
      // 0 is refused with a message; above 1024 QEMU 7.2 aborts (assertion) without one.
      return `device.numQueues: ${n} is not possible: QEMU needs 1..${VIRTIO_QUEUE_MAX}`;
    }
  }
  if (Buffer.byteLength(disk.serial) > VIRTIO_BLK_SERIAL_MAX) {
    return `disk.serial: "${disk.serial}" is longer than ${VIRTIO_BLK_SERIAL_MAX} bytes; virtio-blk would truncate it in the guest`;
  }
  return null;
}

export function makeVirtioBlkPciBackend(opts: { name: string; iothread: boolean }): BlockBackend {
  const iothreadId = (spec: QemuLaunchSpec) => spec.device.iothreadId ?? DEFAULT_IOTHREAD_ID;
  return {
    name: opts.name,
    ioeventfdApplies: true,
    check(spec) {
      const disk = checkDisk(spec.disk);
      if (disk) return disk;
      if (opts.iothread) {
        if (!spec.device.ioeventfd) {
          // QEMU 7.2 (virtio_blk_data_plane_create): "ioeventfd is required for iothread"
          return 'device.ioeventfd: ioeventfd is required for iothread (QEMU refuses ioeventfd=off with iothread=)';
        }
        if (!QEMU_ID_RE.test(iothreadId(spec))) {
          return `device.iothreadId: "${iothreadId(spec)}" is not a QEMU identifier (letters, digits, '-', '.', '_', starting with a letter)`;
        }
      } else if (spec.device.iothreadId !== undefined) {
        return `device.iothreadId: backend ${opts.name} does not use an iothread (use virtio-blk-iothread)`;
      }
      return checkVirtioBlkDevice(spec);
    },
    args(spec) {
      const { device, disk } = spec;
      const props = [`virtio-blk-pci,id=${DEVICE_ID},drive=${DISK_NODE}`];
      if (disk.serial !== '') props.push(`serial=${escapeOptValue(disk.serial)}`);
      props.push(`ioeventfd=${onOff(device.ioeventfd)}`);
      if (opts.iothread) props.push(`iothread=${iothreadId(spec)}`);
      if (device.queueSize !== undefined) props.push(`queue-size=${device.queueSize}`);
      if (device.numQueues !== undefined) props.push(`num-queues=${device.numQueues}`);
      return [
        ...blockdevArgs(disk),
        ...(opts.iothread ? ['-object', `iothread,id=${iothreadId(spec)}`] : []),
        '-device',
        props.join(','),
      ];
    },
  };
}
