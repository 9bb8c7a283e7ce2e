/**
 * The storage every guest reads: a user-named file, or a file created on
 * tmpfs (/dev/shm) and filled with data, so reads never hit holes (a hole
 * reads as zeroes without touching any storage, flattering every path alike).
 */
import { constants as fsConstants } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { release } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { HostError, InputError } from '../model/errors.js';
import { MiB } from '../profile/units.js';

export interface BackingStore {
  path: string;
  sizeBytes: number;
  created: boolean;
  remove(): Promise<void>;
}

const TMPFS_DIR = '/dev/shm';

/** Where the backing file of run `runId` is created when the profile names none (known before it exists, for cleanup records). */
export function createdBackingPath(runId: string): string {
  return join(TMPFS_DIR, `vblk-bench-${runId}.raw`);
}

/** Bytes of a block device (its st_size is 0): /sys/dev/block/<major>:<minor>/size counts 512-byte sectors. */
async function blockDeviceBytes(rdev: number): Promise<number> {
  const major = ((rdev >> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
  const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
  const sectors = Number((await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8').catch(() => '0')).trim());
  return Number.isSafeInteger(sectors) ? sectors * 512 : 0;
}

/**
 * cache: none makes QEMU open the backing store with O_DIRECT. tmpfs supports
 * that only since Linux 6.6 (older kernels: EINVAL at open). Checked before
 * anything boots, and never worked around by changing the cache mode: that
 * would measure something else.
 */
export async function checkDirectIo(
  path: string,
  created: boolean,
  openFile: (path: string, flags: number) => Promise<{ close(): Promise<void> }> = open,
): Promise<void> {
  let fh;
  try {
    fh = await openFile(path, fsConstants.O_RDONLY | fsConstants.O_DIRECT);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
    throw new HostError(
      `disk.cache none needs O_DIRECT, but ${created ? `tmpfs (${TMPFS_DIR})` : path} refuses it (EINVAL; tmpfs supports O_DIRECT from Linux 6.6, this host runs ${release()})`,
      'set disk.path to a file on a real filesystem (ext4, xfs) or a block device; disk.cache: writeback also works but measures the host page cache, not the I/O path',
    );
  } finally {
    await fh?.close();
  }
}

export async function prepareBackingStore(
  disk: { path?: string; size: number; cache?: 'none' | 'writeback' },
  runId: string,
): Promise<BackingStore> {
  if (disk.path) {
    const info = await stat(disk.path).catch(() => null);
    if (!info) throw new InputError(`disk.path: ${disk.path} does not exist`);
    if (!info.isFile() && !info.isBlockDevice())
      throw new InputError(`disk.path: ${disk.path} is neither a file nor a block device`);
    if (disk.cache === 'none') await checkDirectIo(disk.path, false);
    const sizeBytes = info.isBlockDevice() ? await blockDeviceBytes(info.rdev) : info.size;
    return { path: disk.path, sizeBytes, created: false, remove: async () => undefined };
  }
  const path = createdBackingPath(runId);
  const chunk = randomBytes(MiB);
  const handle = await open(path, 'w', 0o600);
  try {
    for (let written = 0; written < disk.size; written += chunk.length) {
      await handle.write(chunk, 0, Math.min(chunk.length, disk.size - written));
    }
  } finally {
    await handle.close();
  }
  if (disk.cache === 'none')
    await checkDirectIo(path, true).catch(async (err: unknown) => {
      await unlink(path).catch(() => undefined);
      throw err;
    });
  return { path, sizeBytes: disk.size, created: true, remove: () => unlink(path).catch(() => undefined) };
}
