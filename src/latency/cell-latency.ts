/**
 * A traced run's CellLatency (src/model/latency.ts) from its stored text:
 * fio's JSON, QEMU's trace log and the guest's ftrace. Each layer's
 * durations are computed inside one clock domain; the one cross-domain layer
 * is a difference of means. Pure.
 */
import type { CellLatency, LatencyLayer, LayerId, LayerStats } from '../model/latency.js';
import type { TraceCaptureMeta } from '../model/trace-capture.js';
import { mean, median, quantile } from '../stats/descriptive.js';
import { LAYER_DEFS } from './layer-defs.js';
import { parseFtrace, type ParsedFtrace } from './parse-ftrace.js';
import { parseQemuLog } from './parse-qemu-log.js';
import { guestRequests, type GuestRequest } from './guest-requests.js';
import { qemuRequests, type QemuRequest } from './qemu-requests.js';
import { daemonRequests, parseDaemonFtrace, type DaemonRequest } from './daemon-requests.js';
import { fioTotal } from './fio-total.js';
import { structuralReason } from './unavailable.js';
import { latencyChecks } from './checks.js';
import { requestTimelines } from './timelines.js';

export interface TraceTexts {
  meta: TraceCaptureMeta;
  fioJson: unknown;
  qemuLog?: string;
  ftrace?: string;
  /** vhost-user-blk: the storage daemon's host ftrace instance text. */
  daemonFtrace?: string;
}

export function statsOf(durations: readonly number[]): LayerStats {
  return {
    count: durations.length,
    meanUs: mean(durations),
    p50Us: quantile(durations, 0.5),
    p99Us: quantile(durations, 0.99),
  };
}

type Durations = Partial<Record<LayerId, { values: number[]; empty: string }>>;

/** Per-request durations of every layer that can have them, with the reason when none came out. */
function durationsOf(
  guest: GuestRequest[],
  qemu: QemuRequest[],
  daemon: DaemonRequest[],
  meta: TraceCaptureMeta,
): Durations {
  const scheduler = String(meta.config.scheduler ?? 'none');
  const span = <R>(rs: R[], a: (r: R) => number | undefined, b: (r: R) => number | undefined) =>
    rs.flatMap((r) => {
      const x = a(r);
      const y = b(r);
      return x === undefined || y === undefined ? [] : [y - x];
    });
  return {
    'guest.block-queue': {
      values: span(
        guest,
        (r) => r.insertUs,
        (r) => r.issueUs,
      ),
      empty: `no block_rq_insert events: the scheduler (${scheduler}) holds nothing back, requests go straight to issue`,
    },
    'guest.block-device': {
      values: span(
        guest,
        (r) => r.issueUs,
        (r) => r.completeUs,
      ),
      empty: 'no block_rq_issue/complete pair of fio was traced',
    },
    'guest.virtio-pci': {
      values: span(
        guest,
        (r) => r.notifyUs,
        (r) => r.interruptUs,
      ),
      empty: 'no vp_notify → virtio-blk vring_interrupt pair was traced',
    },
    'qemu.virtqueue': {
      values: span(
        qemu,
        (r) => r.notifyInUs,
        (r) => r.completeUs,
      ),
      empty: 'no virtio_queue_notify → virtio_blk_req_complete pair in the QEMU log',
    },
    'qemu.block': {
      values: span(
        qemu,
        (r) => r.blockStartUs,
        (r) => r.blockEndUs,
      ),
      empty: 'no blk_co_preadv → virtio_blk_rw_complete pair in the QEMU log',
    },
    'qemu.notify': {
      values: span(
        qemu,
        (r) => r.completeUs,
        (r) => r.notifyOutUs,
      ),
      empty: 'no virtio_blk_req_complete → virtio_notify pair in the QEMU log',
    },
    'daemon.block': {
      values: span(
        daemon,
        (r) => r.startUs,
        (r) => r.endUs,
      ),
      empty: `no blk_co_preadv → completion pair in the daemon's trace (aio ${meta.daemon?.aio ?? 'unknown'})`,
    },
  };
}

function layerResults(meta: TraceCaptureMeta, total: LayerStats | undefined, d: Durations): LatencyLayer[] {
  const layers: LatencyLayer[] = [];
  const statsById = new Map<LayerId, LayerStats>();
  for (const def of LAYER_DEFS) {
    const base = { id: def.id, label: def.label, domain: def.domain, resolutionUs: def.resolutionUs };
    const withParent = def.parent ? { ...base, parent: def.parent } : base;
    const na = (reason: string): LatencyLayer => ({
      ...withParent,
      granularity: def.domain === 'cross' ? 'mean-difference' : 'request',
      result: { available: false, reason },
    });
    const why = structuralReason(def.id, meta);
    if (why) {
      layers.push(na(why));
      continue;
    }
    let stats: LayerStats | undefined;
    if (def.id === 'guest.total') stats = total;
    else if (def.id === 'cross.transport') stats = transport(statsById);
    else {
      const got = d[def.id];
      if (got && got.values.length > 0) stats = statsOf(got.values);
      else if (got) {
        layers.push(na(got.empty));
        continue;
      }
    }
    if (!stats) {
      const why =
        def.id === 'guest.total'
          ? 'fio reported no lat_ns for the traced run'
          : def.id === 'cross.transport'
            ? 'needs both guest.virtio-pci and qemu.virtqueue'
            : 'not measured';
      layers.push(na(why));
      continue;
    }
    statsById.set(def.id, stats);
    const share = total && def.id !== 'guest.total' ? { shareOfTotal: stats.meanUs / total.meanUs } : {};
    layers.push({
      ...withParent,
      granularity: def.domain === 'cross' ? 'mean-difference' : 'request',
      result: { available: true, stats, ...share },
    });
  }
  return layers;
}

/** Guest-observed device time minus QEMU's request lifetime: a difference of means (percentiles do not subtract). */
function transport(s: Map<LayerId, LayerStats>): LayerStats | undefined {
  const outer = s.get('guest.virtio-pci');
  const inner = s.get('qemu.virtqueue');
  if (!outer || !inner) return undefined;
  return { count: Math.min(outer.count, inner.count), meanUs: outer.meanUs - inner.meanUs };
}

function meanOf(layers: LatencyLayer[], id: LayerId): number | undefined {
  const l = layers.find((x) => x.id === id);
  return l?.result.available ? l.result.stats.meanUs : undefined;
}

export function cellLatency(t: TraceTexts): CellLatency {
  const { meta } = t;
  const ftrace: ParsedFtrace = parseFtrace(t.ftrace ?? '');
  const qemu = parseQemuLog(t.qemuLog ?? '');
  const guestReqs = guestRequests(ftrace.events, meta.iodepth);
  const qemuReqs = qemuRequests(qemu.events, meta.iodepth);
  const daemonTrace = parseDaemonFtrace(t.daemonFtrace ?? '');
  const daemonReqs = daemonRequests(daemonTrace.events);
  const fio = fioTotal(t.fioJson);
  const layers = layerResults(meta, fio?.stats, durationsOf(guestReqs, qemuReqs, daemonReqs, meta));
  const kickless = meta.iodepth === 1 ? guestReqs.filter((r) => r.notifyUs === undefined).length : 0;
  const total = meanOf(layers, 'guest.total');
  const inner = (meanOf(layers, 'guest.block-device') ?? 0) + (meanOf(layers, 'guest.block-queue') ?? 0);
  const untraced = meta.untracedIops.length > 0 ? median(meta.untracedIops) : undefined;
  return {
    cellKey: meta.cellKey,
    config: meta.config,
    tracedIops: fio?.iops ?? 0,
    ...(untraced === undefined ? {} : { untracedMedianIops: untraced }),
    layers,
    ...(total !== undefined && inner > 0 ? { unexplainedUs: total - inner } : {}),
    checks: latencyChecks({
      meta,
      layers,
      ftrace,
      daemonTrace,
      fioIos: fio?.ios,
      qemuRequests: qemuReqs.length,
      kickless,
    }),
    timelines: requestTimelines(guestReqs, qemuReqs, daemonReqs, meta),
    notes: [
      ...notesFor(meta, qemu.skipped),
      ...(kickless > 0
        ? [
            `${kickless} request(s) completed without a guest kick (event_idx: the device was polling the ring); they have no guest.virtio-pci span`,
          ]
        : []),
    ],
  };
}

function notesFor(meta: TraceCaptureMeta, qemuSkipped: number): string[] {
  return [
    `guest timestamps: ftrace trace_clock ${meta.guestClock ?? 'unknown'}, text output at 1 µs; guest total from fio's lat (ns)`,
    'QEMU timestamps: gettimeofday through the log trace backend (-msg timestamp=on), 1 µs, wall clock',
    ...(meta.daemon?.ftrace
      ? [
          `daemon timestamps: host ftrace instance, trace_clock ${meta.daemon.clock ?? 'mono'} (the log backend writes each event into its trace_marker), text output at 1 µs; traced in a separate boot${meta.tracedBootId ? ` (${meta.tracedBootId})` : ''} whose daemon had its events on from launch`,
        ]
      : []),
    'layers are per request, matched inside one clock domain; the cross-domain layer is a difference of means',
    'the traced run has no ramp_time and is not a sample: it stays out of statistics, report, compare, gate and merge',
    ...(meta.accel === 'tcg'
      ? ["accel tcg: QEMU emulates the CPU; these are an emulator's latencies, not virtio's"]
      : []),
    ...(qemuSkipped > 0 ? [`${qemuSkipped} QEMU log line(s) were not trace events`] : []),
    ...meta.problems,
  ];
}
