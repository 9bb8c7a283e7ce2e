/**
 * qemu-storage-daemon for vhost-user-blk: it opens the backing store (QEMU
 * cannot: the daemon holds the write lock, "Failed to get shared \"write\"
 * lock") and serves it to QEMU over a vhost-user socket.
 *
 * One daemon per boot, started before QEMU and stopped after it, under the
 * same parent-death wrapper and child registry as QEMU (process.ts), with a
 * QMP monitor of its own (the export's block statistics live there:
 * `query-blockstats` with `query-nodes: true`; qsd has no query-iothreads).
 * Its stderr goes to `storage-daemon.log` beside the serial log, its argv to
 * `storage-daemon.argv.json` beside `qemu.argv.json`.
 *
 * Verified on QEMU 7.2: exports default to read-only and ONE queue, and
 * vhost-user-blk-pci refuses more queues than the export has ("The maximum
 * number of queues supported by the backend is 1"), so num-queues is always
 * set on both sides. `quit` over QMP ends the daemon cleanly (~40 ms) and
 * removes the socket. The guest sees the fixed serial `vhost_user_blk`.
 */
import { stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunStepError } from '../model/errors.js';
import { DISK_NODE, type DiskSpec } from './launch-spec.js';
import { blockdevArgs } from './backends/blockdev.js';
import { escapeOptValue, onOff } from './qemu-opts.js';
import { findExecutable, startQemu } from './process.js';
import { QmpClient } from './qmp.js';
import { tailLines } from './serial.js';
import type { HostSide } from './backends/backend.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { STORAGE_DAEMON_MISSING_HINT } from '../plan/backend-traits.js';

const STORAGE_DAEMON_PROGRAM = 'qemu-storage-daemon';
const EXPORT_ID = 'vblk-export';
const MONITOR_CHARDEV = 'vblk-qmp';

/** The daemon's files in a boot directory. */
export function storageDaemonPaths(hostDir: string): {
  socket: string;
  qmpSocket: string;
  log: string;
  traceEvents: string;
} {
  return {
    socket: join(hostDir, 'vhost-user-blk.sock'),
    qmpSocket: join(hostDir, 'storage-daemon.qmp.sock'),
    log: join(hostDir, 'storage-daemon.log'),
    traceEvents: join(hostDir, 'storage-daemon.trace-events'),
  };
}

export interface StorageDaemonSpec {
  disk: DiskSpec;
  /** The vhost-user socket the daemon listens on and QEMU connects to. */
  socket: string;
  /** The daemon's QMP monitor socket. */
  qmpSocket: string;
  /** Queues of the export: must be at least the device's num-queues (we set both equal). */
  numQueues: number;
  /**
   * A traced boot only (never a measured one): the log trace backend writes the
   * events listed in `eventsFile` into `output` (a host ftrace instance's
   * trace_marker). One `--trace` option: a second one without `file=` would
   * reset the output.
   */
  trace?: { eventsFile: string; output: string };
}

/** The daemon's argv (pure). The export is writable exactly when the disk is (the workload decides). */
export function buildStorageDaemonArgs(spec: StorageDaemonSpec): string[] {
  const trace = spec.trace
    ? ['--trace', `events=${escapeOptValue(spec.trace.eventsFile)},file=${escapeOptValue(spec.trace.output)}`]
    : [];
  return [
    ...trace,
    ...blockdevArgs(spec.disk, '--blockdev'),
    '--export',
    `type=vhost-user-blk,id=${EXPORT_ID},node-name=${DISK_NODE},addr.type=unix,addr.path=${escapeOptValue(spec.socket)},` +
      `writable=${onOff(!spec.disk.readOnly)},num-queues=${spec.numQueues}`,
    '--chardev',
    `socket,id=${MONITOR_CHARDEV},path=${escapeOptValue(spec.qmpSocket)},server=on,wait=off`,
    '--monitor',
    `chardev=${MONITOR_CHARDEV}`,
  ];
}

/**
 * Where to look for the daemon: beside a QEMU given as a path (a build tree
 * has it in `storage-daemon/`), then on PATH. Debian: package qemu-system-common.
 */
export function storageDaemonCandidates(qemuBinary: string): string[] {
  if (!qemuBinary.includes('/')) return [STORAGE_DAEMON_PROGRAM];
  const dir = dirname(qemuBinary);
  return [
    join(dir, STORAGE_DAEMON_PROGRAM),
    join(dir, 'storage-daemon', STORAGE_DAEMON_PROGRAM),
    STORAGE_DAEMON_PROGRAM,
  ];
}

/** The daemon's path for this QEMU, or null when there is none. */
export async function resolveStorageDaemon(qemuBinary: string): Promise<string | null> {
  for (const candidate of storageDaemonCandidates(qemuBinary)) {
    const found = await findExecutable(candidate);
    if (found) return found;
  }
  return null;
}

const isSocket = (path: string) =>
  stat(path).then(
    (s) => s.isSocket(),
    () => false,
  );

/**
 * Starts the daemon (found for `qemuBinary`, see storageDaemonCandidates),
 * waits until its vhost-user socket exists (QEMU can then connect) and its QMP
 * monitor reports the export. Stops it again if any of that fails.
 */
export async function startStorageDaemon(opts: {
  qemuBinary: string;
  args: string[];
  paths: { socket: string; qmpSocket: string; log: string; traceEvents: string };
  /** The trace event patterns of a traced boot, one per line in paths.traceEvents (named by `--trace events=`). */
  traceEvents?: readonly string[];
  timeoutMs?: number;
}): Promise<HostSide> {
  const { socket, qmpSocket, log } = opts.paths;
  const binary = (await resolveStorageDaemon(opts.qemuBinary)) ?? STORAGE_DAEMON_PROGRAM;
  if (opts.traceEvents) await writeFile(opts.paths.traceEvents, opts.traceEvents.map((e) => `${e}\n`).join(''));
  // Beside qemu.argv.json: the exact command, as evidence.
  await writeJsonAtomic(join(dirname(log), 'storage-daemon.argv.json'), [binary, ...opts.args]);
  const daemon = await startQemu(binary, opts.args, {
    stderrLog: log,
    cwd: dirname(log),
    label: 'qemu-storage-daemon',
    program: { name: 'qemu-storage-daemon', hint: STORAGE_DAEMON_MISSING_HINT },
  });
  let qmp: QmpClient | undefined;
  const stop = async () => {
    await daemon.stop(qmp).catch(() => undefined);
    qmp?.close();
  };
  const failed = async (message: string): Promise<RunStepError> => {
    await stop();
    const tail = await tailLines(log, 10).catch(() => [] as string[]);
    return new RunStepError(
      message,
      'daemon',
      tail.length ? [`qemu-storage-daemon log (${log}), last lines:`, ...tail.map((l) => `  | ${l}`)] : [],
    );
  };
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await isSocket(socket))) {
    if (!daemon.running)
      throw await failed(`qemu-storage-daemon exited before creating its vhost-user socket ${socket}`);
    if (Date.now() >= deadline)
      throw await failed(`qemu-storage-daemon did not create its vhost-user socket ${socket} within ${timeoutMs} ms`);
    await sleep(10);
  }
  try {
    qmp = await QmpClient.connect(qmpSocket, {
      timeoutMs: Math.max(1000, deadline - Date.now()),
      exited: daemon.exited,
    });
  } catch (err) {
    throw await failed(`qemu-storage-daemon's QMP monitor: ${(err as Error).message}`);
  }
  let exports: { id?: string; type?: string }[];
  try {
    exports = await qmp.execute<{ id?: string; type?: string }[]>('query-block-exports');
  } catch (err) {
    throw await failed(`qemu-storage-daemon's QMP monitor: ${(err as Error).message}`);
  }
  const ours = exports.find((e) => e.id === EXPORT_ID);
  if (ours?.type !== 'vhost-user-blk')
    throw await failed(
      `qemu-storage-daemon reports no vhost-user-blk export ${EXPORT_ID} (query-block-exports: ${JSON.stringify(exports)})`,
    );
  return {
    pids: { storage_daemon: daemon.pid },
    qmp,
    observed: { storageDaemonExport: `${ours.type} ${EXPORT_ID}` },
    stop,
  };
}
