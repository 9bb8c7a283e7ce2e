/**
 * The host-side disk of backends that keep the image inside QEMU: a `file`
 * protocol node under a `raw` format node (the modern -blockdev form, no -drive).
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

export function blockdevArgs(disk: DiskSpec): string[] {
  const ro = onOff(disk.readOnly);
  return [
    '-blockdev',
    // read-only on the protocol node too, so the image is opened O_RDONLY
    // (QEMU would otherwise open it read-write under a read-only format node).
    `driver=file,node-name=${FILE_NODE},filename=${escapeOptValue(disk.path)},` +
      `cache.direct=${onOff(disk.cache === 'none')},aio=${disk.aio},read-only=${ro}`,
    '-blockdev',
    `driver=raw,node-name=${DISK_NODE},file=${FILE_NODE},read-only=${ro}`,
  ];
}
