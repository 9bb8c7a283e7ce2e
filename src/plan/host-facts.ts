/**
 * What the plan needs to know about this host before anything boots: which
 * devices the QEMU binary has (`-device help`), which device nodes exist
 * (`/dev/vhost-blk`), whether qemu-storage-daemon is installed, whether the
 * backing store is a block device, and which CPUs pinning may use.
 * vm/host-probe.ts reads them; the backends' traits judge them
 * (backend-traits.ts: hostSupport).
 */
export interface HostFacts {
  qemuBinary: string;
  /** Device names `<qemu> -device help` lists; null when it could not be run (see qemuDevicesError). */
  qemuDevices: string[] | null;
  qemuDevicesError?: string;
  /** Character device nodes asked about by backends (`/dev/vhost-blk`) → present. */
  nodes: Record<string, boolean>;
  /** Path of qemu-storage-daemon for this QEMU, or null. */
  storageDaemon: string | null;
  /** The backing store: a named path (disk.path) or the tmpfs file a run creates (path null: a regular file). */
  backing: { path: string | null; blockDevice: boolean };
  /** /sys/devices/system/cpu/online. */
  onlineCpus: number[];
  /** CPUs this process may run on (its affinity, e.g. a container's cpuset): where pinning can put threads. */
  allowedCpus: number[];
}
