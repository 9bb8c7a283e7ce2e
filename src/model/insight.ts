/**
 * The "why" stored with a sample (`Sample.insight`, optional, schemaVersion 1):
 * what the host, KVM and the guest did during the fio measurement window,
 * normalised per I/O, and what the running system reported about its
 * configuration. Every section is either measured or says, in words, why it
 * is not. Design notes: docs/insight.md.
 */

/** A source that could not be read here, with the reason in words. */
export interface Unavailable {
  available: false;
  reason: string;
}

export type Available<T> = { available: true } & T;
export type Maybe<T> = Available<T> | Unavailable;

export const INSIGHT_VERSION = 1;

/**
 * What host CPU time is spent on. `vcpu`: guest code (under TCG also its
 * emulation); `main-loop`: QEMU's main thread (tid == pid); `iothread`: a
 * user-created iothread (`IO <id>` and listed by query-iothreads);
 * `aio-worker`: QEMU's thread-pool workers (`worker`, aio=threads);
 * `vhost`: in-kernel vhost workers (`vhost-<qemu pid>`); `storage-daemon`:
 * qemu-storage-daemon (vhost-user-blk); `other`: the rest (call_rcu, the
 * QMP monitor's `IO mon_iothread`, ...).
 */
export type CpuRole = 'vcpu' | 'main-loop' | 'iothread' | 'aio-worker' | 'vhost' | 'storage-daemon' | 'other';

export const CPU_ROLES: readonly CpuRole[] = [
  'vcpu',
  'main-loop',
  'iothread',
  'aio-worker',
  'vhost',
  'storage-daemon',
  'other',
];

/** Where the window sits and what the per-I/O figures are divided by. */
export interface InsightWindow {
  /**
   * How the counters were sampled (the profile's `insight.sampling`):
   * `around-fio` (default, `outside-window`): read before fio starts and after
   * it ends, the interval is fio's whole run — start-up, ramp, measured phase,
   * exit — and nothing of the harness runs inside it;
   * `steady-state` (opt-in `in-window`, and every sample recorded before the
   * setting existed): both snapshots inside fio's measured phase (after ramp,
   * before its end), taken while fio runs.
   */
  placement: 'around-fio' | 'steady-state';
  /** What showed fio's first I/O (a steady-state window is placed from it); null around fio. */
  ioStartProbe: 'qemu-blockstats' | 'storage-daemon-blockstats' | 'guest-diskstats' | null;
  /** ms after fio was started over SSH that its first I/O was seen; null around fio. */
  ioStartMs: number | null;
  /**
   * Window start and end, ms after fio's exec was sent (host clock, when each
   * host reading began). Around fio the start is before fio was let run, the
   * end after it exited.
   */
  startMs: number;
  endMs: number;
  /** Host time between the two snapshots (monotonic clock), ms. */
  hostMs: number;
  /** Guest time between the two guest snapshots (/proc/uptime), ms; null if unreadable. */
  guestMs: number | null;
  /**
   * The denominator of the host-side figures (host CPU, exits, blockstats):
   * fio I/Os in the host window, counted where the host counters are read —
   * read requests QEMU's block node received (rd_operations) times the
   * guest's own I/Os per request (block-layer merges, from the guest window).
   * Falls back to guestIos when no block counters are readable (`iosSource`).
   * null: nothing per I/O.
   */
  ios: number | null;
  iosSource: 'host-requests' | 'guest-diskstats' | null;
  /**
   * The denominator of the guest-side figures (IRQs, guest CPU): I/Os the
   * guest's block layer took for the test disk between the two guest
   * snapshots (reads completed + merged, /sys/block/<dev>/stat).
   */
  guestIos: number | null;
  /**
   * The I/Os the window should hold at fio's average rate: fio's IOPS ×
   * hostMs in the steady state, × (ramp + runtime) around fio.
   */
  fioRateIos: number | null;
}

export interface RoleCpu {
  role: CpuRole;
  /** Threads of this role seen in the window. */
  threads: number;
  /** Host CPU time in the window, µs. */
  cpuUs: number;
  usPerIo: number | null;
  /** cpuUs / window: how many host cores this role kept busy on average. */
  busyCores: number;
  /** Times its threads were scheduled in (schedstat), per I/O: roughly wakeups per I/O. */
  runsPerIo: number | null;
}

export interface ThreadCpu {
  /** Label of the process source (`qemu`, `qemu-storage-daemon`, `vhost-1234 (kernel)`). */
  process: string;
  pid: number;
  tid: number;
  name: string;
  role: CpuRole;
  cpuUs: number;
  runs: number | null;
  /** `window`: seen at both snapshots; `started`: only at the end (all its CPU counted). */
  seen: 'window' | 'started';
}

export interface HostCpuInsight {
  /** `schedstat`: /proc/<pid>/task/<tid>/schedstat, ns; `stat-ticks`: utime+stime, 10 ms ticks. */
  clock: 'schedstat' | 'stat-ticks';
  processes: { label: string; pid: number }[];
  /** Largest first. */
  roles: RoleCpu[];
  totalCpuUs: number;
  totalUsPerIo: number | null;
  /** I/Os per second of host CPU time (all roles): IOPS per host core. */
  iopsPerCoreSecond: number | null;
  threads: ThreadCpu[];
  /** Threads present at the start and gone at the end: their CPU after the start is not counted. */
  endedThreads: number;
}

export interface ExitsCounters {
  /** `query-stats`: QMP, provider kvm, target vcpu (summed over vCPUs); `debugfs`: /sys/kernel/debug/kvm/<pid>-<fd>/. */
  source: 'query-stats' | 'debugfs';
  /** Deltas over the window of every cumulative counter that moved. */
  counters: Record<string, number>;
  /** counters / window I/Os. */
  perIo: Record<string, number>;
  /** All exits per I/O (`exits`), null when that counter is absent. */
  exitsPerIo: number | null;
}

export interface InterruptLine {
  irq: string;
  /** Action name, e.g. `virtio1-req.0`. */
  name: string;
  /** Delta over the window, summed over guest CPUs. */
  count: number;
  /** Delta per guest CPU. */
  perCpu: number[];
}

/** Guest /proc/stat `cpu` line deltas, in USER_HZ ticks (10 ms). */
export interface GuestCpuTicks {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface GuestInsight {
  /** The virtio device of the test disk (/sys/block/<dev>/device → `virtio1`). */
  virtioDevice: string;
  /** Its request-queue interrupt lines (`virtioN-req.K`, or the shared `virtioN-virtqueues`). */
  interrupts: InterruptLine[];
  irqs: number;
  irqsPerIo: number | null;
  cpu: {
    ticks: GuestCpuTicks;
    /** Share of guest CPU time not idle/iowait, all guest CPUs, %. */
    busyPct: number;
    /** Busy guest CPU time per I/O, µs (10 ms resolution over the window). */
    usPerIo: number | null;
  };
  disk: { readIos: number; readMerges: number; readBytes: number };
  /** Active scheduler read at the end of the window. */
  scheduler: string;
  /** blk-mq hardware queues the guest driver created (/sys/block/<dev>/mq/). */
  hwQueues: number;
  /** fio's own figures for the whole measured run (not only the window). */
  fio: { usrCpuPct: number | null; sysCpuPct: number | null; ctxSwitches: number | null; ctxPerIo: number | null };
}

export interface BlockstatsInsight {
  /** Whose QMP monitor holds the counters of the test disk. */
  source: 'qemu' | 'storage-daemon';
  node: string;
  rdBytes: number;
  /** Read requests the device received from the guest (every virtio request is accounted). */
  rdOperations: number;
  /** Of those, the ones QEMU merged into a neighbour before submitting (virtio-blk multireq merging). */
  rdMerged: number;
  /** Bytes the guest read from the disk in its window (sectors × 512). */
  guestReadBytes: number | null;
  /**
   * rdBytes / guestReadBytes: the same requests counted on both sides. The
   * guest's snapshots run over SSH, so its window is the host's to within
   * tens of milliseconds, not exactly.
   */
  hostVsGuestBytes: number | null;
  /** rdBytes per second of the window; around fio, per second of fio's I/O phase (ramp + runtime, fio's clock). */
  hostBytesPerS: number;
  fioBytesPerS: number | null;
  /**
   * hostBytesPerS / fioBytesPerS. fio times itself with the guest's clock,
   * which under TCG on a busy host can run 10–30 % off the host's.
   */
  hostVsFioBytes: number | null;
  /** fio I/Os per request QEMU submitted (window I/Os / (rdOperations − rdMerged)): guest and QEMU merging together. */
  mergeRatio: number | null;
  /** Set when bytes disagree by more than a factor of 1.5 (BYTES_TOLERANCE): caching or the wrong device. */
  mismatch: string | null;
}

export interface ConfigCheck {
  item: string;
  planned: string | number | boolean;
  /** null: could not be read (which fails the check). */
  observed: string | number | boolean | null;
  ok: boolean;
  /** Where the observed value was read. */
  source: string;
}

export interface ConfigInsight {
  /** Everything the plan fixes, compared with what the running system reports. */
  checks: ConfigCheck[];
  /** Facts recorded without a planned value. */
  facts: Record<string, string | number | boolean | null>;
  vcpuAffinity: { cpuIndex: number; tid: number; cpusAllowed: string }[];
  /**
   * Where notification work lands (evidence for ioeventfd): with ioeventfd on,
   * the guest's kick is an eventfd the main loop (or iothread) handles; off, the
   * vCPU thread handles it itself.
   */
  notification: {
    /** (main loop + iothread CPU) / (that + vCPU CPU), window. */
    ioSideCpuShare: number | null;
    /** Scheduled-in count per I/O of the main loop + iothreads. */
    ioSideRunsPerIo: number | null;
  };
}

export interface SampleInsight {
  version: typeof INSIGHT_VERSION;
  window: Maybe<InsightWindow>;
  hostCpu: Maybe<HostCpuInsight>;
  exits: Maybe<ExitsCounters>;
  guest: Maybe<GuestInsight>;
  blockstats: Maybe<BlockstatsInsight>;
  config: Maybe<ConfigInsight>;
  notes: string[];
}
