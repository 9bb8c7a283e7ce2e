/**
 * Write-to-temp-then-rename: a reader (or a crash) sees the old file or the
 * new one, never half of one. The temporary file sits beside the target (a
 * rename does not cross file systems) and is fsynced before the rename, so a
 * power cut does not leave an empty file under the final name. On failure the
 * temporary file is removed (a full disk must not fill up with them).
 *
 * The one implementation for every layer: results, caches, keys, seeds,
 * archives, locks and the run registry all write through here.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Exact permission bits of the result (e.g. 0o600 for a private key); default 0o644 less the umask. */
  mode?: number;
}

/** A fresh temporary name beside `path`, hidden and unique to this process and call. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/**
 * Creates or replaces `path` with whatever `produce` writes to the temporary
 * path it is given (a tool writing an ISO, a tar writer, ...). `produce` must
 * have finished writing when its promise resolves.
 */
export async function replaceFileAtomic(
  path: string,
  produce: (tmp: string) => Promise<void>,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    await produce(tmp);
    const handle = await open(tmp, 'r+');
    try {
      if (opts.mode !== undefined) await handle.chmod(opts.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  await replaceFileAtomic(
    path,
    async (tmp) => {
      const handle = await open(tmp, 'wx', opts.mode ?? 0o644);
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
    },
    opts,
  );
}

/** `value` as indented JSON with a final newline. */
export function writeJsonAtomic(path: string, value: unknown, opts: AtomicWriteOptions = {}): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n', opts);
}

/**
 * The synchronous form, for code that must not yield: lock files and the run
 * registry, which are also written from exit handlers.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempPathFor(path);
  try {
    const fd = openSync(tmp, 'wx', opts.mode ?? 0o644);
    try {
      writeFileSync(fd, data);
      if (opts.mode !== undefined) fchmodSync(fd, opts.mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already renamed */
    }
    throw err;
  }
}

export function writeJsonAtomicSync(path: string, value: unknown, opts: AtomicWriteOptions = {}): void {
  writeFileAtomicSync(path, JSON.stringify(value, null, 2) + '\n', opts);
}
