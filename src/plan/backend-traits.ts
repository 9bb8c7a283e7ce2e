/**
 * What the plan knows about each block backend before anything boots: which
 * matrix axes mean something for it, whether its virtqueues run on a QEMU
 * iothread, how the guest finds its disk, and whether this host can run it.
 * How a backend is launched (its QEMU arguments, its host processes) is
 * vm/backends/; each backend there starts from its traits here, so a new
 * backend is one entry here plus its file and registry line there.
 */
import { InputError } from '../model/errors.js';
import type { BACKEND_NAMES } from '../profile/axes.js';
import type { HostFacts } from './host-facts.js';

export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendTraits {
  name: BackendName;
  /** Whether `device.ioeventfd` means anything for this path (vhost-user-blk has no such property). */
  ioeventfdApplies: boolean;
  /** Whether the virtqueues run on a QEMU iothread: `poll_max_ns` and `pin.iothread` apply only then. */
  usesIothread: boolean;
  /**
   * How the guest finds the disk under test: by the virtio serial QEMU sets,
   * or by the PCI address QEMU reports for the device (devices without a
   * `serial` property: vhost-user-blk shows qemu-storage-daemon's fixed one).
   */
  locateBy: 'serial' | 'pci';
  /** QOM type of the device the guest sees (`-device <type>`, read back over QMP). */
  deviceType: string;
  /**
   * null if this host can run the backend, else the reason and what would
   * make it work (one line). Absent: it runs wherever QEMU runs.
   */
  hostSupport?(host: HostFacts): string | null;
  /** Character device nodes hostSupport looks at (`/dev/vhost-blk`): probed into HostFacts.nodes. */
  hostNodes?: readonly string[];
}

const VHOST_BLK_NODE = '/dev/vhost-blk';
const VHOST_BLK_DEVICE = 'vhost-blk-pci';
const VHOST_USER_BLK_DEVICE = 'vhost-user-blk-pci';
const VIRTIO_BLK_DEVICE = 'virtio-blk-pci';
/** How to get qemu-storage-daemon (vhost-user-blk's host side). */
export const STORAGE_DAEMON_MISSING_HINT = 'install qemu-system-common (Debian), or build QEMU with --enable-tools';
const LOOP_HINT = 'e.g. a loop device made with `losetup --find --show FILE`';

/** In-kernel vhost-blk: out-of-tree module, patched QEMU, raw block device (see vm/backends/vhost-blk.ts). */
function vhostBlkSupport(host: HostFacts): string | null {
  const missing: string[] = [];
  if (!host.nodes[VHOST_BLK_NODE]) {
    missing.push(
      `${VHOST_BLK_NODE} does not exist (module vhost_blk was never merged upstream: build and load the out-of-tree module of the 2022 "vhost-blk: in-kernel accelerator for virtio-blk guests" series)`,
    );
  }
  if (host.qemuDevices === null) {
    missing.push(
      `cannot list the devices of ${host.qemuBinary} (${host.qemuDevicesError ?? 'qemu -device help failed'})`,
    );
  } else if (!host.qemuDevices.includes(VHOST_BLK_DEVICE)) {
    missing.push(
      `${host.qemuBinary} has no device ${VHOST_BLK_DEVICE} (needs a QEMU built with the vhost-blk patches of the same series; set qemu.binary to it)`,
    );
  }
  if (!host.backing.blockDevice) {
    missing.push(
      host.backing.path === null
        ? `the backing store is a file vblk-bench creates on /dev/shm, not a raw block device (set disk.path to a block device, ${LOOP_HINT})`
        : `the backing ${host.backing.path} is not a raw block device (set disk.path to a block device, ${LOOP_HINT})`,
    );
  }
  return missing.length === 0 ? null : `in-kernel vhost-blk is not available on this host: ${missing.join('; ')}`;
}

/** vhost-user-blk: qemu-storage-daemon and a QEMU with vhost-user (see vm/backends/vhost-user-blk.ts). */
function vhostUserBlkSupport(host: HostFacts): string | null {
  const missing: string[] = [];
  if (host.storageDaemon === null) {
    missing.push(
      `qemu-storage-daemon was not found (looked beside ${host.qemuBinary} and on PATH): ${STORAGE_DAEMON_MISSING_HINT}`,
    );
  }
  if (host.qemuDevices !== null && !host.qemuDevices.includes(VHOST_USER_BLK_DEVICE)) {
    missing.push(
      `${host.qemuBinary} has no device ${VHOST_USER_BLK_DEVICE} (a QEMU built with --enable-vhost-user has it)`,
    );
  }
  return missing.length === 0 ? null : `vhost-user-blk is not available on this host: ${missing.join('; ')}`;
}

const TRAITS: { readonly [N in BackendName]: BackendTraits & { name: N } } = {
  'virtio-blk': {
    name: 'virtio-blk',
    ioeventfdApplies: true,
    usesIothread: false,
    locateBy: 'serial',
    deviceType: VIRTIO_BLK_DEVICE,
  },
  'virtio-blk-iothread': {
    name: 'virtio-blk-iothread',
    ioeventfdApplies: true,
    usesIothread: true,
    locateBy: 'serial',
    deviceType: VIRTIO_BLK_DEVICE,
  },
  'vhost-user-blk': {
    name: 'vhost-user-blk',
    ioeventfdApplies: false,
    usesIothread: false,
    locateBy: 'pci',
    deviceType: VHOST_USER_BLK_DEVICE,
    hostSupport: vhostUserBlkSupport,
  },
  'vhost-blk': {
    name: 'vhost-blk',
    ioeventfdApplies: false,
    usesIothread: false,
    locateBy: 'pci',
    deviceType: VHOST_BLK_DEVICE,
    hostNodes: [VHOST_BLK_NODE],
    hostSupport: vhostBlkSupport,
  },
};

/** Throws InputError naming the known backends when `name` is not one. */
export function backendTraits(name: string): BackendTraits {
  const traits = (TRAITS as Record<string, BackendTraits>)[name];
  if (!traits)
    throw new InputError(`device.backend: unknown backend "${name}" (known: ${Object.keys(TRAITS).join(', ')})`);
  return traits;
}

/** Device nodes any backend asks about (for the host probe). */
export function backendHostNodes(): string[] {
  return [...new Set(Object.values(TRAITS).flatMap((t: BackendTraits) => t.hostNodes ?? []))];
}

/**
 * Matrix axes that mean nothing for a backend, with why: the planner turns
 * their value into `n/a` and keeps one cell instead of one per value.
 */
export function inapplicableAxes(name: string): Record<string, string> {
  const b = backendTraits(name);
  const out: Record<string, string> = {};
  if (!b.ioeventfdApplies)
    out.ioeventfd = `${name} has no ioeventfd property (its virtqueues are not served by QEMU's device emulation)`;
  if (!b.usesIothread) out.poll_max_ns = `${name} uses no QEMU iothread, so there is no poll-max-ns to set`;
  return out;
}
