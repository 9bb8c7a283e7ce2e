/**
 * The layers of issue 14, outermost first (the cross-domain difference after
 * the two layers it is computed from): label, clock domain, the layer
 * each must nest inside, and clock resolution. One definition per LayerId.
 */
import type { ClockDomain, LayerId } from '../model/latency.js';

export interface LayerDef {
  id: LayerId;
  label: string;
  domain: ClockDomain;
  parent?: LayerId;
  resolutionUs: number;
}

/** ftrace's text output and fio's ns: guest numbers at 1 µs (text) or better. */
const GUEST_RES = 1;
/** QEMU's log backend: gettimeofday, printed in µs. */
const QEMU_RES = 1;
/** The daemon's events stamped by a host ftrace instance (trace_clock mono), text output in µs. */
const DAEMON_RES = 1;

export const LAYER_DEFS: readonly LayerDef[] = [
  { id: 'guest.total', label: 'guest total (fio lat = slat + clat)', domain: 'guest', resolutionUs: 0.001 },
  {
    id: 'guest.block-queue',
    label: 'guest block queue (block_rq_insert → block_rq_issue)',
    domain: 'guest',
    parent: 'guest.total',
    resolutionUs: GUEST_RES,
  },
  {
    id: 'guest.block-device',
    label: 'guest block device (block_rq_issue → block_rq_complete)',
    domain: 'guest',
    parent: 'guest.total',
    resolutionUs: GUEST_RES,
  },
  {
    id: 'guest.virtio-pci',
    label: 'guest virtio-pci (vp_notify → vring_interrupt)',
    domain: 'guest',
    parent: 'guest.block-device',
    resolutionUs: GUEST_RES,
  },
  {
    id: 'host.kvm',
    label: 'host KVM (notify exit → interrupt injected)',
    domain: 'host',
    parent: 'guest.virtio-pci',
    resolutionUs: 0.001,
  },
  {
    id: 'qemu.virtqueue',
    label: 'QEMU virtio (virtio_queue_notify → virtio_blk_req_complete)',
    domain: 'qemu',
    parent: 'guest.virtio-pci',
    resolutionUs: QEMU_RES,
  },
  {
    id: 'qemu.block',
    label: 'QEMU block (blk_co_preadv → virtio_blk_rw_complete)',
    domain: 'qemu',
    parent: 'qemu.virtqueue',
    resolutionUs: QEMU_RES,
  },
  {
    id: 'qemu.notify',
    label: 'QEMU notify (virtio_blk_req_complete → virtio_notify / virtio_notify_irqfd)',
    domain: 'qemu',
    parent: 'guest.virtio-pci',
    resolutionUs: QEMU_RES,
  },
  {
    id: 'cross.transport',
    label: 'transport + notification (guest virtio-pci − QEMU virtqueue, difference of means)',
    domain: 'cross',
    parent: 'guest.virtio-pci',
    resolutionUs: QEMU_RES,
  },
  {
    id: 'daemon.block',
    label: 'qemu-storage-daemon block (blk_co_preadv → thread_pool_complete / luring_process_completion)',
    domain: 'daemon',
    parent: 'guest.virtio-pci',
    resolutionUs: DAEMON_RES,
  },
  {
    id: 'host.block',
    label: 'host block layer / syscall',
    domain: 'host',
    parent: 'qemu.block',
    resolutionUs: 0.001,
  },
];
