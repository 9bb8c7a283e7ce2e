/**
 * QEMU's side of each virtio-blk request, from its log trace events:
 * virtio_queue_notify (the guest's kick, on the test disk's vdev) →
 * virtio_blk_handle_read/write (req pointer, sector) → blk_co_preadv/pwritev
 * (byte offset) → virtio_blk_rw_complete (req) → virtio_blk_req_complete
 * (req) → virtio_notify / virtio_notify_irqfd (the guest is told).
 * The req pointer ties a request's events together; the kick and the
 * notification are per request only at iodepth 1 (deeper, one kick pops and
 * one notification completes several requests), so they are left out there.
 * Pure.
 */
import type { QemuTraceEvent } from './parse-qemu-log.js';

export interface QemuRequest {
  sector: number;
  notifyInUs?: number;
  handleUs: number;
  blockStartUs?: number;
  blockEndUs?: number;
  completeUs?: number;
  notifyOutUs?: number;
  events: { tUs: number; tid: number; event: string }[];
}

const HANDLE = new Set(['virtio_blk_handle_read', 'virtio_blk_handle_write']);
const BLOCK_START = new Set(['blk_co_preadv', 'blk_co_pwritev']);
const NOTIFY_OUT = new Set(['virtio_notify', 'virtio_notify_irqfd']);

/** The test disk's vdev: the one virtio_blk_* events name (virtio-net shares the virtio_* events). */
function blkVdev(events: readonly QemuTraceEvent[]): string | undefined {
  return events.find((e) => e.name.startsWith('virtio_blk_'))?.args.vdev;
}

export function qemuRequests(events: readonly QemuTraceEvent[], iodepth: number): QemuRequest[] {
  const vdev = blkVdev(events);
  if (vdev === undefined) return [];
  const byReq = new Map<string, QemuRequest>();
  const all: QemuRequest[] = [];
  let lastKick: number | undefined;
  /** Requests waiting for their block-layer submission, by byte offset. */
  const toSubmit: QemuRequest[] = [];
  let awaitingNotify: QemuRequest | undefined;
  for (const e of events) {
    const note = (r: QemuRequest) => r.events.push({ tUs: e.tUs, tid: e.tid, event: e.name });
    if (e.name === 'virtio_queue_notify' && e.args.vdev === vdev) {
      lastKick = e.tUs;
    } else if (HANDLE.has(e.name) && e.args.vdev === vdev) {
      const r: QemuRequest = { sector: Number(e.args.sector), handleUs: e.tUs, events: [] };
      if (iodepth === 1 && lastKick !== undefined) {
        r.notifyInUs = lastKick;
        r.events.push({ tUs: lastKick, tid: e.tid, event: 'virtio_queue_notify' });
        lastKick = undefined;
      }
      note(r);
      byReq.set(e.args.req ?? '', r);
      toSubmit.push(r);
      all.push(r);
    } else if (BLOCK_START.has(e.name)) {
      const offset = Number(e.args.offset);
      const bytes = Number(e.args.bytes);
      // A merged submission (virtio_blk_submit_multireq) covers several requests' sectors.
      for (let i = 0; i < toSubmit.length;) {
        const r = toSubmit[i]!;
        if (r.sector * 512 >= offset && r.sector * 512 < offset + bytes) {
          r.blockStartUs = e.tUs;
          note(r);
          toSubmit.splice(i, 1);
        } else i++;
      }
    } else if (e.name === 'virtio_blk_rw_complete' && e.args.vdev === vdev) {
      const r = byReq.get(e.args.req ?? '');
      if (r && r.blockEndUs === undefined) {
        r.blockEndUs = e.tUs;
        note(r);
      }
    } else if (e.name === 'virtio_blk_req_complete' && e.args.vdev === vdev) {
      const r = byReq.get(e.args.req ?? '');
      if (r && r.completeUs === undefined) {
        r.completeUs = e.tUs;
        note(r);
        // The pointer is reused by the next request: forget it.
        byReq.delete(e.args.req ?? '');
        if (iodepth === 1) awaitingNotify = r;
      }
    } else if (NOTIFY_OUT.has(e.name) && e.args.vdev === vdev && awaitingNotify) {
      awaitingNotify.notifyOutUs = e.tUs;
      note(awaitingNotify);
      awaitingNotify = undefined;
    }
  }
  return all;
}
