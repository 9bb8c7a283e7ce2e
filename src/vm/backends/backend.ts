/**
 * One block I/O path of the guest. Each backend owns every QEMU argument of
 * its disk (host-side node, iothread objects, guest device) and every host
 * process it needs beside QEMU, so paths that put the disk elsewhere
 * (vhost-user-blk: in qemu-storage-daemon; vhost-blk: in the host kernel) are
 * new files implementing this interface plus one registry line and their
 * traits (plan/backend-traits.ts), nothing more.
 */
import type { QemuLaunchSpec } from '../launch-spec.js';
import type { BackendTraits } from '../../plan/backend-traits.js';
import type { QmpClient } from '../qmp.js';

/** A host process a backend runs beside QEMU, as an argv (pure: --dry-run prints it). */
export interface HostCommand {
  /** Role, also the key of its pid in HostSide.pids and of `pin.<role>`: `storage_daemon`. */
  role: string;
  /** A program name (resolved at start, see storage-daemon.ts) or a path. */
  binary: string;
  args: string[];
}

/** What a backend started on the host for one boot (started before QEMU, stopped after it). */
export interface HostSide {
  /** Host pids by role (`storage_daemon`): for pinning and evidence. */
  pids: Record<string, number>;
  /** QMP of the helper, when it has one (qemu-storage-daemon's monitor: the export's blockstats live there). */
  qmp?: QmpClient;
  /** Facts read back from the helper (e.g. the export's queue count), merged into every sample's `observed`. */
  observed: Record<string, string | number | boolean>;
  /** Stops everything started; idempotent, never throws for a process already gone. */
  stop(): Promise<void>;
}

/** A backend's traits (what the plan judges, plan/backend-traits.ts) and how it is launched. */
export interface BlockBackend extends BackendTraits {
  /** null if possible, else the reason (one sentence, our words, QEMU's rule named). */
  check(spec: QemuLaunchSpec): string | null;
  /** The QEMU arguments of disk + device; only called when check() returned null. */
  args(spec: QemuLaunchSpec): string[];
  /** Host processes to run beside QEMU for this spec (pure); absent or [] for in-QEMU paths. */
  hostCommands?(spec: QemuLaunchSpec): HostCommand[];
  /** Starts `hostCommands` and waits until QEMU can connect to them. */
  startHostSide?(spec: QemuLaunchSpec): Promise<HostSide>;
}
