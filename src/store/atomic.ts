/**
 * Write-to-temp-then-rename: a reader (or a crash) sees the old file or the
 * new one, never half of one. fsync before rename so a power cut does not
 * leave an empty file under the final name.
 */
import { open, rename, unlink, mkdir } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(tmp, 'w', 0o644);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    // A full disk must not leave half-written temp files behind.
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
