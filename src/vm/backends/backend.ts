/**
 * One block I/O path of the guest. Each backend owns every QEMU argument of
 * its disk (host-side node, iothread objects, guest device), so paths that put
 * the disk elsewhere (vhost-user-blk: in qemu-storage-daemon; vhost-blk: in
 * the host kernel) are new files implementing this interface, nothing more.
 */
import type { QemuLaunchSpec } from '../launch-spec.js';

export interface BlockBackend {
  name: string;
  /** Whether `device.ioeventfd` means anything for this path (vhost-user-blk has no such property). */
  ioeventfdApplies: boolean;
  /** null if possible, else the reason (one sentence, our words, QEMU's rule named). */
  check(spec: QemuLaunchSpec): string | null;
  /** The QEMU arguments of disk + device; only called when check() returned null. */
  args(spec: QemuLaunchSpec): string[];
}
