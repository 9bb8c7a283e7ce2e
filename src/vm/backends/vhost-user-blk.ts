/**
 * vhost-user-blk: the virtqueues are served by qemu-storage-daemon, a separate
 * userspace process that maps the guest's memory (so guest RAM must be a
 * shared memfd: without `share=on` the guest hangs, "Failed to set msg fds").
 * QEMU gets only the socket (`-chardev socket` + `-device vhost-user-blk-pci`);
 * the disk nodes live in the daemon (storage-daemon.ts).
 *
 * QEMU 7.2 facts (verified): vhost-user-blk-pci has no `ioeventfd` and no
 * `serial` property; its queue-size default is 128 (virtio-blk-pci's: 256),
 * so the run always sets it (see launch.ts: 256 unless the profile says
 * otherwise) and reads it back; a second `-machine memory-backend=...` merges
 * with the first `-machine q35`; the memory backend's size must equal `-m`.
 */
import { DEVICE_ID, type QemuLaunchSpec } from '../launch-spec.js';
import { escapeOptValue } from '../qemu-opts.js';
import { UNIX_PATH_MAX } from '../unix-path.js';
import {
  buildStorageDaemonArgs,
  startStorageDaemon,
  storageDaemonCandidates,
  storageDaemonPaths,
} from '../storage-daemon.js';
import type { BlockBackend, HostCommand } from './backend.js';
import { backendTraits } from '../../plan/backend-traits.js';
import { checkPciMachine, checkVhostCommon, vhostNumQueues, vhostQueueProps } from './vhost-common.js';

const TRAITS = backendTraits('vhost-user-blk');
/** ids of the objects this backend adds. */
const GUEST_MEMORY_ID = 'vblk-mem';
const VHOST_USER_CHARDEV = 'vblk-vhost-user';

function paths(spec: QemuLaunchSpec) {
  return storageDaemonPaths(spec.device.hostDir ?? '');
}

function daemonCommand(spec: QemuLaunchSpec): HostCommand {
  const p = paths(spec);
  return {
    role: 'storage_daemon',
    binary: storageDaemonCandidates(spec.binary)[0]!,
    args: buildStorageDaemonArgs({
      disk: spec.disk,
      socket: p.socket,
      qmpSocket: p.qmpSocket,
      numQueues: vhostNumQueues(spec),
      ...(spec.daemonTrace ? { trace: { eventsFile: p.traceEvents, output: spec.daemonTrace.output } } : {}),
    }),
  };
}

export const vhostUserBlk: BlockBackend = {
  ...TRAITS,
  check(spec) {
    const common = checkVhostCommon(spec, TRAITS.name) ?? checkPciMachine(spec, TRAITS.deviceType);
    if (common) return common;
    if (!spec.device.hostDir)
      return 'device.hostDir: vhost-user-blk needs a directory for its socket and qemu-storage-daemon files';
    for (const [what, path] of [
      ['vhost-user socket', paths(spec).socket],
      ['storage daemon QMP socket', paths(spec).qmpSocket],
    ] as const) {
      const bytes = Buffer.byteLength(path);
      if (bytes >= UNIX_PATH_MAX)
        return `device.hostDir: the ${what} ${path} is ${bytes} bytes; unix socket paths must be shorter than ${UNIX_PATH_MAX}`;
    }
    if (/(^|,)memory-backend=/.test(spec.machine)) {
      return `machine: vhost-user-blk sets its own memory-backend (shared memfd guest RAM); remove memory-backend= from "${spec.machine}"`;
    }
    return null;
  },
  args(spec) {
    return [
      // The daemon maps guest RAM: it must be a shared file mapping, sized like -m.
      '-object',
      `memory-backend-memfd,id=${GUEST_MEMORY_ID},size=${spec.memoryMiB}M,share=on`,
      '-machine',
      `memory-backend=${GUEST_MEMORY_ID}`,
      '-chardev',
      `socket,id=${VHOST_USER_CHARDEV},path=${escapeOptValue(paths(spec).socket)}`,
      '-device',
      [`${TRAITS.deviceType},id=${DEVICE_ID},chardev=${VHOST_USER_CHARDEV}`, ...vhostQueueProps(spec)].join(','),
    ];
  },
  hostCommands: (spec) => [daemonCommand(spec)],
  startHostSide(spec) {
    return startStorageDaemon({
      qemuBinary: spec.binary,
      args: daemonCommand(spec).args,
      paths: paths(spec),
      ...(spec.daemonTrace ? { traceEvents: spec.daemonTrace.events } : {}),
    });
  },
};
