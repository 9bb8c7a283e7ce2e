/**
 * The host-side disk: a protocol node (`file` for a regular file,
 * `host_device` for a block device) under a `raw` format node, in the modern
 * -blockdev form (no -drive). The same two nodes serve QEMU (`-blockdev`) and
 * qemu-storage-daemon (`--blockdev`).
 */
import type { DiskSpec } from '../launch-spec.js';
import { DISK_NODE, FILE_NODE } from '../launch-spec.js';
import { escapeOptValue, onOff } from '../qemu-opts.js';

/** null if QEMU accepts this disk, else why not. */
export function checkDisk(disk: DiskSpec): string | null {
  if (disk.path === '') return 'disk.path: empty';
  if (disk.format !== 'raw') return `disk.format: only raw is supported, got ${String(disk.format)}`;
  if (disk.aio === 'native' && disk.cache !== 'none') {
    // QEMU: "aio=native was specified, but it requires cache.direct=on, which was not specified."
    return 'disk.aio: aio=native requires cache.direct=on, i.e. cache: none';
  }
  return null;
}

/**
 * The option strings of the two nodes, protocol node first. QEMU 7.2 refuses
 * `driver=file` on a block device ("'file' driver requires '/dev/loop0' to be
 * a regular file"), hence `host_device` there.
 */
function blockdevNodes(disk: DiskSpec): [string, string] {
  const ro = onOff(disk.readOnly);
  const driver = disk.blockDevice ? 'host_device' : 'file';
  return [
    // read-only on the protocol node too, so the image is opened O_RDONLY
    // (QEMU would otherwise open it read-write under a read-only format node).
    `driver=${driver},node-name=${FILE_NODE},filename=${escapeOptValue(disk.path)},` +
      `cache.direct=${onOff(disk.cache === 'none')},aio=${disk.aio},read-only=${ro}`,
    `driver=raw,node-name=${DISK_NODE},file=${FILE_NODE},read-only=${ro}`,
  ];
}

/** `-blockdev` (QEMU) or `--blockdev` (qemu-storage-daemon) for each node. */
export function blockdevArgs(disk: DiskSpec, flag: '-blockdev' | '--blockdev' = '-blockdev'): string[] {
  return blockdevNodes(disk).flatMap((node) => [flag, node]);
}
