/**
 * Find the disk under test inside the guest. Never assume /dev/vda: the boot
 * disk, a scratch disk or a different probe order can take that name. The
 * host gives the test disk a virtio serial; vhost-user-blk has no serial
 * property (qemu-storage-daemon reports a fixed one), so a PCI address is the
 * fallback.
 */
import { InputError, RunStepError } from '../model/errors.js';
import type { GuestRunner } from './ssh-session.js';

/** Guest virtio disk names (`vda`, `vdb`, ... `vdaa`). */
const DEVICE_NAME_PATTERN = /^vd[a-z]+$/;
/** virtio-blk serials are at most 20 bytes; we only ever look for tame ones. */
const DISK_SERIAL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$/;
/** PCI address with or without the domain: `0000:00:04.0` or `00:04.0`. */
const PCI_ADDRESS_PATTERN = /^(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/;

export function assertDeviceName(device: string): void {
  if (!DEVICE_NAME_PATTERN.test(device)) {
    throw new InputError(`device: '${device}' is not a virtio disk name (expected ${DEVICE_NAME_PATTERN})`);
  }
}

export interface GuestDisk {
  /** Kernel name, e.g. `vdb`. */
  name: string;
  /** virtio serial ('' when the device has none). */
  serial: string;
  /** Resolved sysfs path of the virtio device (`/sys/devices/pci0000:00/0000:00:04.0/virtio2`). */
  devicePath: string;
  /** PCI address of the function (`0000:00:04.0`); undefined on virtio-mmio. */
  pciAddress?: string;
}

/**
 * One constant command lists every vd* disk with its serial and device path,
 * tab-separated, one per line. No value is interpolated into it.
 */
export const LIST_DISKS_SCRIPT =
  'for d in /sys/block/vd*; do [ -e "$d" ] || continue; ' +
  'n=${d##*/}; s=$(cat "$d/serial" 2>/dev/null); p=$(readlink -f "$d/device" 2>/dev/null); ' +
  'printf \'%s\\t%s\\t%s\\n\' "$n" "$s" "$p"; done';

const PCI_COMPONENT = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;

/** Normalise a PCI address to `dddd:bb:ss.f`, lower case. */
export function normalizePciAddress(address: string): string {
  const m = PCI_ADDRESS_PATTERN.exec(address);
  if (!m) throw new InputError(`pci address: '${address}' is not a PCI address like 0000:00:04.0`);
  return `${m[1] ?? '0000'}:${m[2]}:${m[3]}.${m[4]}`.toLowerCase();
}

/** Parse LIST_DISKS_SCRIPT's output; lines that do not fit are returned in `unparsed`. */
export function parseDiskListing(text: string): { disks: GuestDisk[]; unparsed: string[] } {
  const disks: GuestDisk[] = [];
  const unparsed: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split('\t');
    const [name, serial, devicePath] = fields;
    if (
      fields.length !== 3 ||
      name === undefined ||
      serial === undefined ||
      devicePath === undefined ||
      !DEVICE_NAME_PATTERN.test(name)
    ) {
      unparsed.push(line);
      continue;
    }
    const disk: GuestDisk = { name, serial: serial.trim(), devicePath };
    // The last PCI component of the path is the function the virtio device sits on.
    const pci = devicePath
      .split('/')
      .filter((c) => PCI_COMPONENT.test(c))
      .pop();
    if (pci !== undefined) disk.pciAddress = pci;
    disks.push(disk);
  }
  return { disks, unparsed };
}

async function listGuestDisks(session: GuestRunner): Promise<GuestDisk[]> {
  const r = await session.run(['sh', '-c', LIST_DISKS_SCRIPT], { timeoutMs: 15_000 });
  return parseDiskListing(r.stdout).disks;
}

function describeDisks(disks: GuestDisk[]): string {
  if (disks.length === 0) return 'no virtio disks at all (/sys/block/vd* is empty: is virtio_blk loaded?)';
  return (
    'disks seen: ' +
    disks
      .map(
        (d) =>
          `${d.name} (serial ${d.serial === '' ? 'none' : `'${d.serial}'`}, ${d.pciAddress ? `pci ${d.pciAddress}` : 'not on PCI'})`,
      )
      .join(', ')
  );
}

function pickOne(matches: GuestDisk[], what: string, disks: GuestDisk[]): string {
  const [first, second] = matches;
  if (first === undefined) {
    throw new RunStepError(`no guest disk with ${what}; ${describeDisks(disks)}`, 'guest');
  }
  if (second !== undefined) {
    throw new RunStepError(
      `${matches.length} guest disks have ${what} (${matches.map((d) => d.name).join(', ')}); cannot tell which is under test`,
      'guest',
    );
  }
  assertDeviceName(first.name);
  return first.name;
}

/** The device name (e.g. `vdb`) of the virtio disk whose serial is `serial`. */
export async function findDiskBySerial(session: GuestRunner, serial: string): Promise<string> {
  if (!DISK_SERIAL_PATTERN.test(serial)) {
    throw new InputError(`disk serial: '${serial}' is not a serial we can look for (expected ${DISK_SERIAL_PATTERN})`);
  }
  const disks = await listGuestDisks(session);
  return pickOne(
    disks.filter((d) => d.serial === serial),
    `serial '${serial}'`,
    disks,
  );
}

/** The device name of the virtio disk on PCI function `address` (`0000:00:04.0` or `00:04.0`). */
export async function findDiskByPciAddress(session: GuestRunner, address: string): Promise<string> {
  const wanted = normalizePciAddress(address);
  const disks = await listGuestDisks(session);
  return pickOne(
    disks.filter((d) => d.pciAddress === wanted),
    `PCI address ${wanted}`,
    disks,
  );
}

/**
 * Serial first, PCI address as the fallback (vhost-user-blk has no serial of
 * its own), from one listing. Throws listing the disks seen when neither matches.
 */
export async function findDisk(
  session: GuestRunner,
  by: { serial?: string; pciAddress?: string },
): Promise<{ device: string; matchedBy: 'serial' | 'pci' }> {
  if (by.serial === undefined && by.pciAddress === undefined) {
    throw new InputError('findDisk: give a serial, a PCI address or both');
  }
  if (by.serial !== undefined && !DISK_SERIAL_PATTERN.test(by.serial)) {
    throw new InputError(
      `disk serial: '${by.serial}' is not a serial we can look for (expected ${DISK_SERIAL_PATTERN})`,
    );
  }
  const pci = by.pciAddress === undefined ? undefined : normalizePciAddress(by.pciAddress);
  const disks = await listGuestDisks(session);
  if (by.serial !== undefined) {
    const bySerial = disks.filter((d) => d.serial === by.serial);
    if (bySerial.length > 0 || pci === undefined) {
      return { device: pickOne(bySerial, `serial '${by.serial}'`, disks), matchedBy: 'serial' };
    }
  }
  const what = by.serial !== undefined ? `serial '${by.serial}' or PCI address ${pci}` : `PCI address ${pci}`;
  const byPci = disks.filter((d) => d.pciAddress === pci);
  if (byPci.length === 0) pickOne([], what, disks);
  return { device: pickOne(byPci, `PCI address ${pci}`, disks), matchedBy: 'pci' };
}
