/**
 * Shared implementation of the in-QEMU virtio-blk-pci paths. The plain and
 * the iothread backend differ only in whether the device gets an iothread.
 */
import type { DeviceSpec, QemuLaunchSpec } from '../launch-spec.js';
import { DEFAULT_IOTHREAD_ID, DEVICE_ID, DISK_NODE } from '../launch-spec.js';
import { QEMU_ID_RE, escapeOptValue, onOff } from '../qemu-opts.js';
import type { BlockBackend } from './backend.js';
import type { BackendTraits } from '../../plan/backend-traits.js';
import { blockdevArgs, checkDisk } from './blockdev.js';

/** VIRTIO_BLK_ID_BYTES: QEMU silently truncates longer serials in the guest. */
const VIRTIO_BLK_SERIAL_MAX = 20;
/** VIRTQUEUE_MAX_SIZE and VIRTIO_QUEUE_MAX in QEMU 7.2. */
export const VIRTQUEUE_MAX_SIZE = 1024;
const VIRTIO_QUEUE_MAX = 1024;

const isPowerOfTwo = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/** queue-size / num-queues as QEMU 7.2 accepts them on every virtio block device (virtio-blk, vhost-user-blk, vhost-blk). */
export function checkQueueProps(device: DeviceSpec): string | null {
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
  return null;
}

/** The `queue-size=`/`num-queues=` device properties that are set (none: QEMU's defaults). */
export function queueProps(device: DeviceSpec): string[] {
  const props: string[] = [];
  if (device.queueSize !== undefined) props.push(`queue-size=${device.queueSize}`);
  if (device.numQueues !== undefined) props.push(`num-queues=${device.numQueues}`);
  return props;
}

/** For backends without a QEMU iothread: no iothread id, no poll-max-ns. */
export function checkNoIothread(spec: QemuLaunchSpec, backend: string): string | null {
  if (spec.device.iothreadId !== undefined) {
    return `device.iothreadId: backend ${backend} does not use an iothread (use virtio-blk-iothread)`;
  }
  if (spec.device.pollMaxNs !== undefined) {
    return `device.pollMaxNs: backend ${backend} has no iothread to poll (use virtio-blk-iothread)`;
  }
  return null;
}

/** Checks of the virtio-blk device properties shared by every virtio-blk backend. */
function checkVirtioBlkDevice(spec: QemuLaunchSpec): string | null {
  const queues = checkQueueProps(spec.device);
  if (queues) return queues;
  if (Buffer.byteLength(spec.disk.serial) > VIRTIO_BLK_SERIAL_MAX) {
    return `disk.serial: "${spec.disk.serial}" is longer than ${VIRTIO_BLK_SERIAL_MAX} bytes; virtio-blk would truncate it in the guest`;
  }
  return null;
}

export function makeVirtioBlkPciBackend(traits: BackendTraits): BlockBackend {
  const opts = { name: traits.name, iothread: traits.usesIothread };
  const iothreadId = (spec: QemuLaunchSpec) => spec.device.iothreadId ?? DEFAULT_IOTHREAD_ID;
  return {
    ...traits,
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
        const poll = spec.device.pollMaxNs;
        if (poll !== undefined && (!Number.isInteger(poll) || poll < 0)) {
          return `device.pollMaxNs: expected a non-negative integer, got ${poll}`;
        }
      } else {
        const iothread = checkNoIothread(spec, opts.name);
        if (iothread) return iothread;
      }
      return checkVirtioBlkDevice(spec);
    },
    args(spec) {
      const { device, disk } = spec;
      const props = [`${traits.deviceType},id=${DEVICE_ID},drive=${DISK_NODE}`];
      if (disk.serial !== '') props.push(`serial=${escapeOptValue(disk.serial)}`);
      props.push(`ioeventfd=${onOff(device.ioeventfd)}`);
      if (opts.iothread) props.push(`iothread=${iothreadId(spec)}`);
      props.push(...queueProps(device));
      const poll = device.pollMaxNs === undefined ? '' : `,poll-max-ns=${device.pollMaxNs}`;
      return [
        ...blockdevArgs(disk),
        ...(opts.iothread ? ['-object', `iothread,id=${iothreadId(spec)}${poll}`] : []),
        '-device',
        props.join(','),
      ];
    },
  };
}
