/**
 * QEMU's side of the traced pass. Debian's QEMU 7.2 has only the `log` trace
 * backend: with `-D <file> -msg timestamp=on` at launch (vm/qemu-args.ts) an
 * enabled event is written as `tid@sec.usec:event args` (gettimeofday, 1 µs).
 * Events are switched on over QMP (`trace-event-set-state`) just before the
 * traced fio and off right after it, so no measured window sees one: while an
 * event is off its trace point is one test of its state flag, and the log
 * file stays empty (checked by the traced-pass test).
 *
 * qemu-storage-daemon 7.2 has neither `trace-event-set-state` on its monitor
 * (CommandNotFound) nor `-msg timestamp=on` (its log lines carry no time):
 * its events are on from launch in a separate traced boot, written into a
 * host ftrace instance (host-ftrace.ts), which stamps them.
 */
import { open, stat, unlink } from 'node:fs/promises';
import type { QmpClient } from '../vm/qmp.js';

/** The events the layers are built from (QEMU 7.2 names; `laio_*` do not exist in 7.2). */
export const QEMU_TRACE_EVENTS: readonly string[] = [
  'virtio_queue_notify',
  'virtio_blk_handle_read',
  'virtio_blk_handle_write',
  'virtio_blk_submit_multireq',
  'virtio_blk_rw_complete',
  'virtio_blk_req_complete',
  'virtio_notify',
  'virtio_notify_irqfd',
  'blk_co_preadv',
  'blk_co_pwritev',
  'luring_co_submit',
  'luring_process_completion',
  'thread_pool_submit',
  'thread_pool_complete',
];

/**
 * qemu-storage-daemon's events for `daemon.block`: the request enters the
 * block layer (blk_co_preadv/pwritev, from the export's handler), is handed
 * to the AIO engine (thread_pool_submit / luring_co_submit) and completes
 * (thread_pool_complete / luring_process_completion, matched by pointer).
 * QEMU 7.2 has no laio_* events: aio native has no completion event.
 */
export const DAEMON_TRACE_EVENTS: readonly string[] = [
  'blk_co_preadv',
  'blk_co_pwritev',
  'thread_pool_submit',
  'thread_pool_complete',
  'luring_co_submit',
  'luring_process_completion',
];

/** Null when the daemon's block layer has a completion event with this aio mode, else why not (pure). */
export function daemonAioUnavailableReason(aio: string): string | null {
  if (aio === 'threads' || aio === 'io_uring') return null;
  return `disk aio ${aio}: QEMU 7.2 has no laio_* trace events, so the daemon's block layer has no completion event; daemon.block needs aio threads (thread_pool_complete) or io_uring (luring_process_completion)`;
}

export async function setQemuTraceEvents(qmp: QmpClient, enable: boolean): Promise<void> {
  for (const name of QEMU_TRACE_EVENTS) await qmp.execute('trace-event-set-state', { name, enable });
}

/** The log file's size now (0 when QEMU has not created it). */
export async function logSize(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

/** The bytes QEMU appended since `from`, at most `capBytes`; `totalBytes` is what was appended. */
export async function readLogSince(
  path: string,
  from: number,
  capBytes: number,
): Promise<{ text: string; totalBytes: number }> {
  const total = Math.max(0, (await logSize(path)) - from);
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(Math.min(total, capBytes));
    const { bytesRead } = await handle.read(buf, 0, buf.length, from);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    // A cut file ends at the last whole line.
    return { text: bytesRead < total ? text.slice(0, text.lastIndexOf('\n') + 1) : text, totalBytes: total };
  } finally {
    await handle.close();
  }
}

/** The boot directory's log is a scratch copy: the traced pass keeps its own part under traces/. */
export async function removeLog(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}
