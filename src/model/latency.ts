/**
 * The per-layer latency map of one traced fio run (issue 14, after Stefan
 * Hajnoczi's Virtio/Block/Latency analysis): where one request's time goes,
 * layer by layer, from the guest benchmark's total down to the host.
 *
 * A traced run is never a sample: it lives under `<results>/traces/`, outside
 * statistics, the gate, merge, resume and every index. This is the model the
 * trace analysis (src/latency/) produces and the renderers (`explain
 * --latency`, its JSON and the HTML report) draw; it is stored as
 * `traces/<cell>/latency.json` next to the raw trace text it was computed from.
 * Design notes: docs/latency.md.
 */

/**
 * The clock a duration was measured in. Durations are computed inside one
 * domain only: `guest` (guest ftrace, trace_clock mono/global; fio's own
 * clock), `qemu` (QEMU's `log` trace backend: gettimeofday, µs), `daemon`
 * (qemu-storage-daemon's log backend), `host` (host kernel tracepoints, KVM
 * hosts only). `cross` marks a difference of means across two domains.
 */
export type ClockDomain = 'guest' | 'qemu' | 'daemon' | 'host' | 'cross';

/**
 * How a layer's numbers were formed. `request`: each request matched from
 * its start event to its end event (percentiles are meaningful);
 * `batch`: per notification batch (iodepth > 1: notifications batch and
 * requests merge); `mean-difference`: an outer mean minus an inner mean
 * across clock domains (percentiles do not subtract, so there are none).
 */
export type LayerGranularity = 'request' | 'batch' | 'mean-difference';

/** Summary of one layer's durations, in microseconds. */
export interface LayerStats {
  /** Requests (or batches) the layer was measured on. */
  count: number;
  meanUs: number;
  /** Present for `request` and `batch` granularity only. */
  p50Us?: number;
  p99Us?: number;
}

/**
 * Stable layer ids, outermost first. A backend lists every id it can
 * observe and marks the rest `n/a` with the reason (docs/latency.md has two
 * lines per layer).
 */
export type LayerId =
  /** fio `lat` (slat + clat): with ioeventfd=off the kick runs inside io_submit, so clat alone would not nest. */
  | 'guest.total'
  /** guest block layer: block_rq_insert → block_rq_issue (only where the scheduler emits insert; `none` does not). */
  | 'guest.block-queue'
  /** guest block layer: block_rq_issue → block_rq_complete. */
  | 'guest.block-device'
  /** guest virtio-pci: vp_notify → vring_interrupt (function tracer). */
  | 'guest.virtio-pci'
  /** host KVM: notify exit → interrupt injected (kvm:* tracepoints; KVM hosts only). */
  | 'host.kvm'
  /** QEMU virtio: virtio_queue_notify → virtio_blk_req_complete. */
  | 'qemu.virtqueue'
  /** QEMU block layer: blk_co_preadv → virtio_blk_rw_complete. */
  | 'qemu.block'
  /** QEMU notification of the guest: virtio_blk_req_complete → virtio_notify / virtio_notify_irqfd. */
  | 'qemu.notify'
  /** qemu-storage-daemon block layer: blk_co_preadv → its completion event (aio io_uring / threads only). */
  | 'daemon.block'
  /** host block layer / syscall: n/a for a tmpfs backing store. */
  | 'host.block'
  /** guest-observed device time minus QEMU's request lifetime = transport + notification (difference of means). */
  | 'cross.transport';

export interface LatencyLayer {
  id: LayerId;
  /** Human label, e.g. "QEMU virtio (virtio_queue_notify → virtio_blk_req_complete)". */
  label: string;
  domain: ClockDomain;
  /** The id of the layer this one must nest inside (its mean ≤ the parent's), absent for the outermost. */
  parent?: LayerId;
  granularity: LayerGranularity;
  /** Clock resolution of the numbers, µs (QEMU's log backend: 1 µs; ftrace mono: 0.001 µs). */
  resolutionUs: number;
  /** Measured: the stats; not observable here: why, in words (never a guess). */
  result: { available: true; stats: LayerStats; shareOfTotal?: number } | { available: false; reason: string };
}

/** One consistency check printed with the table. */
export interface LatencyCheck {
  kind: 'nesting' | 'request-counts' | 'overruns';
  ok: boolean;
  /** One line: what was checked and, when it failed, by how much. */
  detail: string;
}

/** One event of one request on one thread, for the two-request timeline. */
export interface TimelineEvent {
  /** µs from the request's first event, in the event's own clock domain. */
  atUs: number;
  domain: ClockDomain;
  /** vcpu, main-loop, iothread, aio-worker, storage-daemon, guest-cpu<N>, … */
  thread: string;
  event: string;
}

export interface RequestTimeline {
  /** The request nearest the median guest total, and the one nearest its p99. */
  which: 'median' | 'p99';
  totalUs: number;
  events: TimelineEvent[];
}

/** The latency map of one cell's traced run. */
export interface CellLatency {
  /** The cell's key (src/model/cell-key.ts) and its axis values, for labels and pairing. */
  cellKey: string;
  config: Record<string, string | number | boolean>;
  /** IOPS of the traced run next to the untraced median of the same cell: the tracing cost, visible. */
  tracedIops: number;
  untracedMedianIops?: number;
  layers: LatencyLayer[];
  /** Guest total mean minus the sum of the outermost measured inner layers' means, µs; the part no layer explains. */
  unexplainedUs?: number;
  checks: LatencyCheck[];
  timelines: RequestTimeline[];
  /** Anything the reader must know next to the numbers (e.g. "QEMU timestamps: gettimeofday, 1 µs"). */
  notes: string[];
}
