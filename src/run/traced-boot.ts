/**
 * vhost-user-blk's traced passes get a boot of their own (issue 14, layer
 * `daemon.block`): qemu-storage-daemon 7.2 cannot switch trace events at run
 * time, so a daemon with them on would tax every measured cell. After the
 * group's measured boot, a fresh daemon starts with its events on, writing
 * into a per-run host ftrace instance (trace/host-ftrace.ts), and a fresh
 * guest boots against it; each traced cell's one traced run gives all its
 * layers (guest, QEMU and daemon). Measured boots keep the daemon exactly as
 * without tracing (no --trace). The instance is removed on every exit path
 * after the daemon has stopped (it holds trace_marker open).
 */
import { join } from 'node:path';
import type { Profile } from '../profile/schema.js';
import type { BootGroup } from '../plan/groups.js';
import type { Cell } from '../plan/cells.js';
import { bootConfig } from '../plan/boot-config.js';
import type { Logger } from '../model/logger.js';
import { removeSocketsIn } from '../lifecycle/run-registry.js';
import { ensureHostTracefs, HostFtraceInstance } from '../trace/host-ftrace.js';
import { DAEMON_TRACE_EVENTS, daemonAioUnavailableReason, removeLog } from '../trace/qemu-trace.js';
import { bootGuest, type BootRequest, type RunningGuest } from './guest-boot.js';
import { QEMU_TRACE_LOG } from './launch.js';

/** How a group's traced passes see the storage daemon: not at all, n/a with a reason, or in a traced boot. */
export type DaemonTracing = { kind: 'none' } | { kind: 'unavailable'; reason: string } | { kind: 'boot'; aio: string };

let tracefs: Promise<{ ok: true } | { ok: false; reason: string }> | undefined;

/** Decided per group: vhost-user-blk with aio threads/io_uring and a usable host tracefs gets a traced boot. */
export async function daemonTracingFor(profile: Profile, group: BootGroup): Promise<DaemonTracing> {
  const boot = bootConfig(group.boot, group.options, profile);
  if (boot.backend !== 'vhost-user-blk') return { kind: 'none' };
  const aioReason = daemonAioUnavailableReason(boot.aio);
  if (aioReason) return { kind: 'unavailable', reason: aioReason };
  // Once per process: the mount (as root) happens at most once.
  tracefs ??= ensureHostTracefs();
  const found = await tracefs;
  return found.ok ? { kind: 'boot', aio: boot.aio } : { kind: 'unavailable', reason: found.reason };
}

/** A boot's request (guest-boot.ts), without the daemon trace this module sets up itself. */
export interface TracedBootRequest extends Omit<BootRequest, 'daemonTrace' | 'onLog'> {
  cells: readonly Cell[];
  aio: string;
  signal: AbortSignal;
  log: Logger;
  /** One traced pass in the traced guest (run-plan's, so it is stored and logged like any other). */
  pass(guest: RunningGuest, cell: Cell, daemon: { instance: HostFtraceInstance; aio: string }): Promise<void>;
}

/** The traced boot: instance, daemon with events on, guest, the cells' traced passes; everything gone after. */
export async function runTracedBoot(req: TracedBootRequest): Promise<void> {
  const { log, bootId } = req;
  const started = Date.now();
  const instance = await HostFtraceInstance.create();
  try {
    const guest = await bootGuest({
      profile: req.profile,
      accel: req.accel,
      guestSource: req.guestSource,
      group: req.group,
      bootId,
      bootDir: req.bootDir,
      backingPath: req.backingPath,
      daemonTrace: { output: instance.marker, events: DAEMON_TRACE_EVENTS },
    });
    log.info(
      `boot ${bootId}: traced boot (qemu-storage-daemon traced into host ftrace instance ${instance.name}), ready in ${(guest.timings.readyMs / 1000).toFixed(1)}s`,
    );
    try {
      for (const cell of req.cells) {
        if (req.signal.aborted || !guest.qemu.running || guest.session.isClosed) break;
        await req.pass(guest, cell, { instance, aio: req.aio });
      }
    } finally {
      await guest
        .stop()
        .catch((err) => log.info(`boot ${bootId}: stopping the traced guest: ${(err as Error).message}`));
      removeSocketsIn(req.bootDir);
      await removeLog(join(req.bootDir, QEMU_TRACE_LOG));
    }
  } finally {
    await instance
      .remove()
      .catch((err) =>
        log.info(`boot ${bootId}: removing host ftrace instance ${instance.name}: ${(err as Error).message}`),
      );
    log.info(`boot ${bootId}: traced boot took ${((Date.now() - started) / 1000).toFixed(1)}s (not a sample)`);
  }
}
