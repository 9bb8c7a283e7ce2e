/**
 * The guest's requests of a traced run, one per fio I/O, from guest ftrace:
 * block_rq_insert (when the scheduler emits it) → block_rq_issue →
 * vp_notify → virtio-blk interrupt (irq_handler_entry `virtioN-req.M`, then
 * vring_interrupt on that CPU) → block_rq_complete. Requests are matched by
 * device and sector. vp_notify and the interrupt are assigned to a request
 * only at iodepth 1 (one request in flight: unambiguous); with more in
 * flight notifications batch, so they stay unassigned. Pure.
 */
import { blockRequestOf, type FtraceEvent } from './parse-ftrace.js';

export interface GuestRequest {
  sector: number;
  insertUs?: number;
  issueUs: number;
  completeUs: number;
  notifyUs?: number;
  interruptUs?: number;
  /** Each event with its CPU, for the timeline. */
  events: { tUs: number; cpu: number; task: string; event: string }[];
}

/** virtio-blk names its interrupt vectors `virtioN-req.M`; virtio-net's are `virtioN-input.M`/`-output.M`. */
const BLK_IRQ = /name=virtio\d+-req\.\d+$/;

interface Open {
  sector: number;
  insertUs?: number;
  issueUs?: number;
  notifyUs?: number;
  interruptUs?: number;
  events: GuestRequest['events'];
}

export function guestRequests(events: readonly FtraceEvent[], iodepth: number): GuestRequest[] {
  const open = new Map<string, Open>();
  const done: GuestRequest[] = [];
  /** Per CPU: the last event was a virtio-blk irq entry (its vring_interrupt follows on that CPU). */
  const blkIrqOn = new Set<number>();
  /** Per CPU: virtio-blk queued a request and has not kicked yet (virtio_queue_rq/virtio_commit_rqs traced). */
  const blkKickDue = new Set<number>();
  const submitTraced = events.some((e) => e.name === 'virtio_queue_rq');
  const single = (): Open | undefined => (iodepth === 1 && open.size === 1 ? [...open.values()][0] : undefined);
  for (const e of events) {
    const note = (o: Open, event: string) => o.events.push({ tUs: e.tUs, cpu: e.cpu, task: e.task, event });
    if (e.name === 'irq_handler_entry') {
      if (BLK_IRQ.test(e.detail)) blkIrqOn.add(e.cpu);
      else blkIrqOn.delete(e.cpu);
      continue;
    }
    if (e.name === 'virtio_queue_rq' || e.name === 'virtio_commit_rqs') {
      blkKickDue.add(e.cpu);
      continue;
    }
    if (e.name === 'vp_notify') {
      const o = single();
      // virtio-blk's kick follows its virtio_queue_rq on that CPU; virtio-net kicks too. Without that
      // function in the trace, fio's own task tells (virtio-net notifies from other tasks).
      const blk = submitTraced ? blkKickDue.delete(e.cpu) : e.task === 'fio';
      if (o && o.issueUs !== undefined && o.notifyUs === undefined && blk) {
        o.notifyUs = e.tUs;
        note(o, 'vp_notify');
      }
      continue;
    }
    if (e.name === 'vring_interrupt') {
      const o = single();
      if (o && blkIrqOn.has(e.cpu) && o.notifyUs !== undefined) {
        o.interruptUs = e.tUs;
        note(o, 'vring_interrupt');
      }
      blkIrqOn.delete(e.cpu);
      continue;
    }
    const rq = e.name.startsWith('block_rq_') ? blockRequestOf(e.detail) : null;
    if (!rq) continue;
    const key = `${rq.dev}:${rq.sector}`;
    if (e.name === 'block_rq_insert' || e.name === 'block_rq_issue') {
      // Only fio's requests (the test disk carries nothing else during the traced run): fio inserts or
      // issues them; a scheduler's dispatch may issue from a kworker what fio inserted.
      const known = open.get(key);
      if (!e.detail.endsWith('[fio]') && !(known && e.name === 'block_rq_issue')) continue;
      const o = known ?? { sector: rq.sector, events: [] };
      if (e.name === 'block_rq_insert') o.insertUs = e.tUs;
      else o.issueUs = e.tUs;
      open.set(key, o);
      note(o, e.name);
    } else if (e.name === 'block_rq_complete') {
      const o = open.get(key);
      if (!o || o.issueUs === undefined) continue;
      open.delete(key);
      note(o, 'block_rq_complete');
      done.push({ ...o, issueUs: o.issueUs, completeUs: e.tUs });
    }
  }
  return done;
}
