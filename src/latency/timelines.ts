/**
 * The two requests drawn as timelines: the one whose guest block-layer time
 * (issue → complete; fio gives its total only in aggregate) is nearest the
 * median, and the one nearest the p99 — each with its guest events (per
 * guest CPU) and, at iodepth 1, its QEMU events (per host thread role),
 * matched by sector in order, and the storage daemon's (vhost-user-blk, per
 * daemon thread), matched by byte offset in order. Each domain's times start
 * at that domain's first event of the request: the clocks are not aligned. Pure.
 */
import type { RequestTimeline, TimelineEvent } from '../model/latency.js';
import type { TraceCaptureMeta } from '../model/trace-capture.js';
import { quantile } from '../stats/descriptive.js';
import type { GuestRequest } from './guest-requests.js';
import type { QemuRequest } from './qemu-requests.js';
import type { DaemonRequest } from './daemon-requests.js';

function threadLabels(meta: TraceCaptureMeta): Map<number, string> {
  return new Map(
    meta.qemuThreads.map((t) => {
      const vcpu = /^CPU (\d+)\//.exec(t.name);
      return [t.tid, vcpu ? `vcpu${vcpu[1]}` : t.role];
    }),
  );
}

/** The host side's request for each guest request: the n-th one of a sector for its n-th guest request. */
function pairBySector<R>(guest: GuestRequest[], host: R[], sectorOf: (r: R) => number): (R | undefined)[] {
  const bySector = new Map<number, R[]>();
  for (const r of host) bySector.set(sectorOf(r), [...(bySector.get(sectorOf(r)) ?? []), r]);
  return guest.map((g) => bySector.get(g.sector)?.shift());
}

function daemonLabels(meta: TraceCaptureMeta): Map<number, string> {
  return new Map((meta.daemon?.threads ?? []).map((t) => [t.tid, t.role]));
}

/** A host-side request's events, from its own first event, in its own clock domain. */
function hostEvents(
  events: { tUs: number; tid: number; event: string }[],
  domain: 'qemu' | 'daemon',
  labels: Map<number, string>,
): TimelineEvent[] {
  if (events.length === 0) return [];
  const t0 = Math.min(...events.map((e) => e.tUs));
  return events.map((e) => ({
    atUs: e.tUs - t0,
    domain,
    thread: labels.get(e.tid) ?? `${domain === 'daemon' ? 'daemon ' : ''}tid ${e.tid}`,
    event: e.event,
  }));
}

function eventsOf(g: GuestRequest, q: QemuRequest | undefined, threads: Map<number, string>): TimelineEvent[] {
  const g0 = Math.min(...g.events.map((e) => e.tUs));
  const guestEvents: TimelineEvent[] = g.events.map((e) => ({
    atUs: e.tUs - g0,
    domain: 'guest',
    thread: `guest-cpu${e.cpu}`,
    event: e.event,
  }));
  return [...guestEvents, ...hostEvents(q?.events ?? [], 'qemu', threads)];
}

export function requestTimelines(
  guest: GuestRequest[],
  qemu: QemuRequest[],
  daemon: DaemonRequest[],
  meta: TraceCaptureMeta,
): RequestTimeline[] {
  if (guest.length === 0) return [];
  const paired = meta.iodepth === 1 ? pairBySector(guest, qemu, (q) => q.sector) : guest.map(() => undefined);
  const daemonPaired = meta.iodepth === 1 ? pairBySector(guest, daemon, (d) => d.offset / 512) : [];
  const daemonThreads = daemonLabels(meta);
  const totals = guest.map((g) => g.completeUs - g.issueUs);
  const threads = threadLabels(meta);
  const nearest = (target: number) =>
    totals.reduce((best, v, i) => (Math.abs(v - target) < Math.abs(totals[best]! - target) ? i : best), 0);
  return (['median', 'p99'] as const).map((which) => {
    const i = nearest(quantile(totals, which === 'median' ? 0.5 : 0.99));
    const events = [
      ...eventsOf(guest[i]!, paired[i], threads),
      ...hostEvents(daemonPaired[i]?.events ?? [], 'daemon', daemonThreads),
    ];
    return { which, totalUs: totals[i]!, events };
  });
}
