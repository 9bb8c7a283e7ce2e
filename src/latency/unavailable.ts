/**
 * Why a layer is not measured in a traced run, in words (never a guess).
 * Pure: from the capture's facts only.
 */
import type { LayerId } from '../model/latency.js';
import type { TraceCaptureMeta } from '../model/trace-capture.js';

/** A capture without the daemon's trace and without a recorded reason (made before the daemon was traced). */
const DAEMON_NA =
  'no qemu-storage-daemon trace in this capture: 7.2 cannot switch trace events at run time, so its events are on only in a separate traced boot (host ftrace instance)';
const VHOST_USER_QEMU_NA =
  'vhost-user-blk: qemu-storage-daemon serves the virtqueue; QEMU sees no request, and the daemon has no virtqueue/vhost-user trace events';

export function batchReason(iodepth: number): string {
  return `iodepth ${iodepth} > 1: one kick pops and one notification completes several requests (virtio_blk_submit_multireq merges them); per-request matching needs iodepth 1`;
}

/** The reason a layer is n/a by construction for this capture, or null when it may be measured. */
export function structuralReason(id: LayerId, meta: TraceCaptureMeta): string | null {
  const vhostUser = meta.backend === 'vhost-user-blk';
  switch (id) {
    case 'host.kvm':
      return meta.accel === 'kvm'
        ? 'kvm:* host tracepoints (filtered to the vCPU threads, aligned by the TSC trace clock) are not collected by this version'
        : 'KVM hosts only: kvm:* tracepoints need a KVM guest; this run used TCG (QEMU emulates the CPU, no notify exits)';
    case 'host.block':
      return meta.backingIsBlockDevice
        ? 'host block tracepoints are not collected by this version (needs host ftrace)'
        : 'the backing store is a file (tmpfs by default): no host block-layer request to trace';
    case 'daemon.block':
      if (!vhostUser) return 'no qemu-storage-daemon in this configuration';
      if (meta.daemon?.unavailable) return meta.daemon.unavailable;
      return meta.daemon?.ftrace ? null : DAEMON_NA;
    case 'qemu.virtqueue':
    case 'qemu.block':
    case 'qemu.notify':
      if (vhostUser) return VHOST_USER_QEMU_NA;
      if (!meta.qemuLog) return 'no QEMU trace log was captured';
      if (id !== 'qemu.block' && meta.iodepth > 1) return batchReason(meta.iodepth);
      return null;
    case 'guest.virtio-pci':
      return meta.iodepth > 1 ? batchReason(meta.iodepth) : null;
    case 'cross.transport':
      if (vhostUser) return VHOST_USER_QEMU_NA;
      return meta.iodepth > 1 ? batchReason(meta.iodepth) : null;
    default:
      return null;
  }
}
