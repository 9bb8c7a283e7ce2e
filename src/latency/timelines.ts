/**
 * The two requests drawn as timelines: the one whose guest block-layer time
 * (issue → complete; fio gives its total only in aggregate) is nearest the
 * median, and the one nearest the p99 — each with its guest events (per
 * guest CPU) and, at iodepth 1, its QEMU events (per host thread role),
 * matched by sector in order. Each domain's times start at that domain's
 * first event of the request: the two clocks are not aligned. Pure.
 */
import type { RequestTimeline, TimelineEvent } from '../model/latency.js';
import type { TraceCaptureMeta } from '../model/trace-capture.js';
import { quantile } from '../stats/descriptive.js';
import type { GuestRequest } from './guest-requests.js';
import type { QemuRequest } from './qemu-requests.js';

function threadLabels(meta: TraceCaptureMeta): Map<number, string> {
  return new Map(
    meta.qemuThreads.map((t) => {
      const vcpu = /^CPU (\d+)\//.exec(t.name);
      return [t.tid, vcpu ? `vcpu${vcpu[1]}` : t.role];
    }),
  );
}

/** QEMU's request for each guest request: the n-th QEMU request of a sector for its n-th guest request. */
function pairQemu(guest: GuestRequest[], qemu: QemuRequest[]): (QemuRequest | undefined)[] {
  const bySector = new Map<number, QemuRequest[]>();
  for (const q of qemu) bySector.set(q.sector, [...(bySector.get(q.sector) ?? []), q]);
  return guest.map((g) => bySector.get(g.sector)?.shift());
}

function eventsOf(g: GuestRequest, q: QemuRequest | undefined, threads: Map<number, string>): TimelineEvent[] {
  const g0 = Math.min(...g.events.map((e) => e.tUs));
  const guestEvents: TimelineEvent[] = g.events.map((e) => ({
    atUs: e.tUs - g0,
    domain: 'guest',
    thread: `guest-cpu${e.cpu}`,
    event: e.event,
  }));
  if (!q || q.events.length === 0) return guestEvents;
  const q0 = Math.min(...q.events.map((e) => e.tUs));
  const qemuEvents: TimelineEvent[] = q.events.map((e) => ({
    atUs: e.tUs - q0,
    domain: 'qemu',
    thread: threads.get(e.tid) ?? `tid ${e.tid}`,
    event: e.event,
  }));
  return [...guestEvents, ...qemuEvents];
}

export function requestTimelines(
  guest: GuestRequest[],
  qemu: QemuRequest[],
  meta: TraceCaptureMeta,
): RequestTimeline[] {
  if (guest.length === 0) return [];
  const paired = meta.iodepth === 1 ? pairQemu(guest, qemu) : guest.map(() => undefined);
  const totals = guest.map((g) => g.completeUs - g.issueUs);
  const threads = threadLabels(meta);
  const nearest = (target: number) =>
    totals.reduce((best, v, i) => (Math.abs(v - target) < Math.abs(totals[best]! - target) ? i : best), 0);
  return (['median', 'p99'] as const).map((which) => {
    const i = nearest(quantile(totals, which === 'median' ? 0.5 : 0.99));
    return { which, totalUs: totals[i]!, events: eventsOf(guest[i]!, paired[i], threads) };
  });
}
