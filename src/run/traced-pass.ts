/**
 * The traced pass of one cell (issue 14): after the cell's measured
 * repetitions, in the same boot, one more fio run of the cell with QEMU's
 * trace events and guest ftrace switched on around it only. Never a sample:
 * its files go to `traces/<cell>/` (raw QEMU log, guest ftrace text, fio's
 * JSON, meta.json) and the analysis passed down from the CLI turns them into
 * latency.json. A failure here is recorded in meta.json and logged; it never
 * fails the run or touches a measured sample. vhost-user-blk with its
 * storage daemon traced runs this in a boot of its own instead
 * (traced-boot.ts): the daemon's events are on from its launch.
 */
import { join } from 'node:path';
import { mkdir, readdir, stat } from 'node:fs/promises';
import type { Profile } from '../profile/schema.js';
import type { Cell } from '../plan/cells.js';
import { buildFioArgs } from '../guest/fio-job.js';
import { extractFioJson, parseFioOutput } from '../guest/fio-result.js';
import { readProcessThreads } from '../insight/host-threads.js';
import { classifyThread } from '../insight/thread-roles.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic-file.js';
import {
  TRACE_FIO_FILE,
  TRACE_GUEST_FTRACE_FILE,
  TRACE_META_FILE,
  TRACE_QEMU_LOG_FILE,
  TRACE_DAEMON_FTRACE_FILE,
  type DaemonTraceMeta,
  type TraceCaptureMeta,
  type TracedThread,
  type TraceFile,
} from '../model/trace-capture.js';
import {
  readGuestFtrace,
  runWithGuestFtrace,
  setupGuestFtrace,
  teardownGuestFtrace,
  GUEST_TRACE_BUFFER_KB,
} from '../trace/guest-ftrace.js';
import {
  DAEMON_TRACE_EVENTS,
  logSize,
  QEMU_TRACE_EVENTS,
  readLogSince,
  setQemuTraceEvents,
} from '../trace/qemu-trace.js';
import { DAEMON_TRACE_BUFFER_KB, type HostFtraceInstance } from '../trace/host-ftrace.js';
import type { RunningGuest } from './guest-boot.js';
import { fioJobFor, fioTimeoutMs } from './cell-job.js';
import { applyGuestSettings, type ActiveGuestSettings } from './guest-settings.js';

/** One raw file of a traced pass is cut here (and marked truncated). */
export const TRACE_FILE_CAP_BYTES = 32 * 1024 * 1024;
/** traces/ as a whole: a traced pass that would start above this is refused (recorded in its meta.json). */
export const TRACES_DIR_CAP_BYTES = 512 * 1024 * 1024;

/** Turns a trace directory's raw files into its latency.json (src/latency/, passed down from the CLI). */
export type TraceAnalyzer = (dir: string) => Promise<void>;

export interface TracedPassRequest {
  guest: RunningGuest;
  profile: Profile;
  cell: Cell;
  activeSettings: ActiveGuestSettings;
  /** traces/ of the run and this cell's directory in it. */
  tracesRoot: string;
  dir: string;
  /** IOPS of the cell's ok samples in this session (their median is the untraced reference). */
  untracedIops: number[];
  analyze?: TraceAnalyzer;
  /**
   * vhost-user-blk: the host ftrace instance its daemon writes into (a
   * separate traced boot: `separateBoot`), or why the daemon is not traced.
   */
  daemon?: { instance: HostFtraceInstance; aio: string } | { unavailable: string };
  separateBoot?: boolean;
}

export interface TracedPassResult {
  tracedIops?: number;
  problems: string[];
}

async function bytesUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  const sizes = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map((e) =>
        stat(join(e.parentPath, e.name)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

async function keep(dir: string, file: string, text: string, totalBytes: number): Promise<TraceFile> {
  await writeFileAtomic(join(dir, file), text);
  return { file, bytes: Buffer.byteLength(text), truncated: totalBytes > Buffer.byteLength(text) };
}

function qemuThreadsOf(guest: RunningGuest): Promise<TracedThread[]> {
  const pid = guest.qemu.pid;
  return readProcessThreads(pid).then(
    (threads) => threads.map((t) => ({ tid: t.tid, name: t.name, role: classifyThread(t, { pid }) })),
    () => [],
  );
}

/** The daemon instance's text into daemon-ftrace.txt; its lost events become a problem (reported, not used silently). */
async function keepDaemonTrace(
  guest: RunningGuest,
  daemon: { instance: HostFtraceInstance; aio: string },
  dir: string,
  meta: TraceCaptureMeta,
): Promise<DaemonTraceMeta> {
  const reading = await daemon.instance.read(TRACE_FILE_CAP_BYTES);
  const lost = reading.overruns.reduce((a, b) => a + b, 0);
  if (lost > 0)
    meta.problems.push(`daemon ring buffer overran: ${lost} event(s) lost (per CPU ${reading.overruns.join('/')})`);
  if (reading.totalBytes > reading.text.length) meta.problems.push(`daemon trace cut at ${TRACE_FILE_CAP_BYTES} bytes`);
  const pid = guest.hostSide?.pids.storage_daemon;
  const threads =
    pid === undefined
      ? []
      : await readProcessThreads(pid).then(
          (ts) => ts.map((t) => ({ tid: t.tid, name: t.name, role: t.tid === pid ? 'daemon-main' : 'daemon-worker' })),
          () => [],
        );
  return {
    ftrace: await keep(dir, TRACE_DAEMON_FTRACE_FILE, reading.text, reading.totalBytes),
    instance: daemon.instance.name,
    clock: 'mono',
    bufferKb: DAEMON_TRACE_BUFFER_KB,
    overruns: reading.overruns,
    events: [...DAEMON_TRACE_EVENTS],
    aio: daemon.aio,
    threads,
  };
}

export async function runTracedPass(req: TracedPassRequest): Promise<TracedPassResult> {
  const { guest, cell, dir } = req;
  const startedAt = new Date().toISOString();
  const meta: TraceCaptureMeta = {
    schemaVersion: 1,
    cellKey: cell.key,
    config: cell.values,
    iodepth: Number(cell.values.iodepth),
    backend: guest.spec.device.backend,
    accel: guest.spec.accel,
    backingIsBlockDevice: guest.spec.disk.blockDevice === true,
    fio: { file: TRACE_FIO_FILE, bytes: 0, truncated: false },
    qemuEvents: [...QEMU_TRACE_EVENTS],
    guestOverruns: [],
    qemuThreads: [],
    untracedIops: req.untracedIops,
    tracedBootId: guest.bootId,
    separateBoot: req.separateBoot ?? false,
    ...(req.daemon && 'unavailable' in req.daemon ? { daemon: { unavailable: req.daemon.unavailable } } : {}),
    problems: [],
    startedAt,
    finishedAt: startedAt,
  };
  await mkdir(dir, { recursive: true });
  const used = await bytesUnder(req.tracesRoot);
  if (used >= TRACES_DIR_CAP_BYTES) {
    meta.problems.push(
      `refused: traces/ holds ${used} bytes, at or above its cap of ${TRACES_DIR_CAP_BYTES} bytes; no traced run`,
    );
    await writeJsonAtomic(join(dir, TRACE_META_FILE), meta);
    return { problems: meta.problems };
  }
  const tracedIops = await capture(req, meta);
  meta.finishedAt = new Date().toISOString();
  await writeJsonAtomic(join(dir, TRACE_META_FILE), meta);
  const problems = [...meta.problems];
  if (req.analyze && tracedIops !== undefined) {
    await req.analyze(dir).catch((err: unknown) => problems.push(`analysis: ${(err as Error).message}`));
  }
  return { ...(tracedIops === undefined ? {} : { tracedIops }), problems };
}

/** The traced fio run itself; fills `meta`, returns fio's IOPS (undefined when fio did not give any). */
async function capture(req: TracedPassRequest, meta: TraceCaptureMeta): Promise<number | undefined> {
  const { guest, profile, cell, dir } = req;
  const session = guest.session;
  const logPath = guest.spec.traceLog;
  await applyGuestSettings(guest, cell, req.activeSettings);
  // No ramp: every request fio issues is in the trace, so the per-layer request counts can agree.
  const job = { ...fioJobFor(profile, cell, guest.device), rampTimeS: 0 };
  const argv = [...buildFioArgs(job), '--lat_percentiles=1'];
  meta.guestClock = await setupGuestFtrace(session);
  meta.guestBufferKb = GUEST_TRACE_BUFFER_KB;
  meta.qemuThreads = await qemuThreadsOf(guest);
  const from = logPath ? await logSize(logPath) : 0;
  if (logPath) meta.qemuLogBytesBefore = from;
  const daemon = req.daemon && 'instance' in req.daemon ? req.daemon : undefined;
  let fio;
  try {
    if (logPath) await setQemuTraceEvents(guest.qmp, true);
    else meta.problems.push('QEMU was started without a trace log (-D): no QEMU events');
    await daemon?.instance.on();
    fio = await runWithGuestFtrace(session, argv, fioTimeoutMs(profile));
  } finally {
    await daemon?.instance.off();
    if (logPath) await setQemuTraceEvents(guest.qmp, false);
  }
  if (daemon) meta.daemon = await keepDaemonTrace(guest, daemon, dir, meta);
  const ftrace = await readGuestFtrace(session, TRACE_FILE_CAP_BYTES);
  await teardownGuestFtrace(session);
  meta.guestOverruns = ftrace.overruns;
  const lost = ftrace.overruns.reduce((a, b) => a + b, 0);
  // Reported, not silently used: latency.json's overrun check fails too.
  if (lost > 0)
    meta.problems.push(`guest ring buffer overran: ${lost} event(s) lost (per CPU ${ftrace.overruns.join('/')})`);
  if (ftrace.totalBytes > ftrace.text.length) meta.problems.push(`guest trace cut at ${TRACE_FILE_CAP_BYTES} bytes`);
  meta.guestFtrace = await keep(dir, TRACE_GUEST_FTRACE_FILE, ftrace.text, ftrace.totalBytes);
  if (logPath) {
    const log = await readLogSince(logPath, from, TRACE_FILE_CAP_BYTES);
    meta.qemuLog = await keep(dir, TRACE_QEMU_LOG_FILE, log.text, log.totalBytes);
  }
  if (fio.code !== 0) {
    meta.problems.push(`fio exited with ${fio.code ?? fio.signal}: ${fio.stderr.trim().split('\n').pop() ?? ''}`);
    return undefined;
  }
  const json = extractFioJson(fio.stdout);
  meta.fio = await keep(dir, TRACE_FIO_FILE, json, json.length);
  return parseFioOutput(fio.stdout).summary.iops;
}
