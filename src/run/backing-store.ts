/**
 * The storage every guest reads: a user-named file, or a file created on
 * tmpfs (/dev/shm) and filled with data, so reads never hit holes (a hole
 * reads as zeroes without touching any storage, flattering every path alike).
 */
import { open, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { InputError } from '../model/errors.js';
import { MiB } from '../profile/units.js';

export interface BackingStore {
  path: string;
  sizeBytes: number;
  created: boolean;
  remove(): Promise<void>;
}

const TMPFS_DIR = '/dev/shm';

export async function prepareBackingStore(disk: { path?: string; size: number }, runId: string): Promise<BackingStore> {
  if (disk.path) {
    const info = await stat(disk.path).catch(() => null);
    if (!info) throw new InputError(`disk.path: ${disk.path} does not exist`);
    if (!info.isFile() && !info.isBlockDevice()) throw new InputError(`disk.path: ${disk.path} is neither a file nor a block device`);
    return { path: disk.path, sizeBytes: info.size, created: false, remove: async () => undefined };
  }
  const path = join(TMPFS_DIR, `vblk-bench-${runId}.raw`);
  const chunk = randomBytes(MiB);
  const handle = await open(path, 'w', 0o600);
  try {
    for (let written = 0; written < disk.size; written += chunk.length) {
      await handle.write(chunk, 0, Math.min(chunk.length, disk.size - written));
    }
  } finally {
    await handle.close();
  }
  return { path, sizeBytes: disk.size, created: true, remove: () => unlink(path).catch(() => undefined) };
}
