/**
 * What the traced pass of one cell captured (src/trace/, engine tier) and the
 * latency analysis (src/latency/, analysis tier) turns into a CellLatency.
 * Stored as `traces/<cell>/meta.json` beside the raw text files it names, so
 * the analysis can be rerun offline from the stored text alone.
 */

/** A thread of a host process whose events appear in a trace, with its role (src/insight/thread-roles.ts). */
export interface TracedThread {
  tid: number;
  /** vcpu, main-loop, iothread, aio-worker, storage-daemon, other. */
  role: string;
  name: string;
}

/** One raw file of the capture, relative to the trace directory, with whether it was cut at the size cap. */
export interface TraceFile {
  file: string;
  bytes: number;
  truncated: boolean;
}

/**
 * vhost-user-blk: qemu-storage-daemon's trace (layer `daemon.block`), taken in
 * a separate traced boot whose daemon started with the events on, writing
 * through its log backend into a host ftrace instance's trace_marker.
 */
export interface DaemonTraceMeta {
  /** Why the daemon was not traced (no file then): aio native, no host tracefs, a failed step. */
  unavailable?: string;
  /** The instance's trace text (daemon-ftrace.txt). */
  ftrace?: TraceFile;
  /** The host ftrace instance (removed after the run), its trace_clock and per-CPU buffer. */
  instance?: string;
  clock?: string;
  bufferKb?: number;
  /** Per host CPU: events lost to a full ring buffer. */
  overruns?: number[];
  /** The daemon's trace events, on from its launch (patterns of `--trace events=`). */
  events?: string[];
  /** The disk's aio mode: which completion event ends a request (threads: thread_pool_complete, io_uring: luring_process_completion). */
  aio?: string;
  /** The daemon's threads at the traced run, tid → role. */
  threads?: TracedThread[];
}

export interface TraceCaptureMeta {
  schemaVersion: 1;
  cellKey: string;
  config: Record<string, string | number | boolean>;
  /** The fio job's queue depth: per-request matching needs 1. */
  iodepth: number;
  backend: string;
  /** The accelerator of the boot: KVM layers exist only under kvm. */
  accel: 'kvm' | 'tcg';
  /** The test disk's backing store is a host block device (else a file: tmpfs by default). */
  backingIsBlockDevice: boolean;
  /** fio's JSON of the traced run (fio.json). */
  fio: TraceFile;
  /** QEMU's log-backend lines written during the traced run (qemu.log); absent when QEMU tracing failed. */
  qemuLog?: TraceFile;
  /** Guest ftrace text (guest-ftrace.txt). */
  guestFtrace?: TraceFile;
  /** Bytes in QEMU's trace log before the events were switched on: 0 says no event fired during the measured cells. */
  qemuLogBytesBefore?: number;
  /** The QEMU events switched on over QMP for the traced run and off after it. */
  qemuEvents: string[];
  /** The guest's trace_clock and per-CPU ring buffer size. */
  guestClock?: string;
  guestBufferKb?: number;
  /** Per guest CPU: events lost to a full ring buffer (per_cpu/cpuN/stats `overrun`). */
  guestOverruns: number[];
  /** QEMU's threads at the traced run, tid → role. */
  qemuThreads: TracedThread[];
  /** IOPS of the cell's ok (untraced) samples in this session: their median sits next to the traced IOPS. */
  untracedIops: number[];
  /** The boot the traced run ran in. */
  tracedBootId?: string;
  /** The traced run had a fresh boot of its own after the measured ones (vhost-user-blk with its daemon traced). */
  separateBoot?: boolean;
  /** vhost-user-blk only. */
  daemon?: DaemonTraceMeta;
  /** Why parts of the capture are missing or cut (size cap, a failed step), one line each. */
  problems: string[];
  startedAt: string;
  finishedAt: string;
}

/** The meta file of a traced pass, beside its raw text. */
export const TRACE_META_FILE = 'meta.json';
export const TRACE_FIO_FILE = 'fio.json';
export const TRACE_QEMU_LOG_FILE = 'qemu.log';
export const TRACE_GUEST_FTRACE_FILE = 'guest-ftrace.txt';
export const TRACE_DAEMON_FTRACE_FILE = 'daemon-ftrace.txt';
