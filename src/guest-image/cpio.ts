/**
 * A minimal writer of the cpio "newc" format (the one Linux unpacks as an
 * initramfs), for the extra archive the fidelity check appends to a guest's
 * initramfs at launch (src/run/harness-free.ts). Only directories and regular
 * files, owned by root, with a fixed mtime: the same entries always give the
 * same bytes. The kernel unpacks concatenated archives in order, so a small
 * archive placed before the guest's own adds files without changing the
 * image. No npm package writes newc (checked: none in the registry lists
 * this project searches), and the format is a 110-byte ASCII header per entry.
 */

export interface CpioEntry {
  /** Path inside the archive, relative, `/`-separated (no leading `/`, no `..`). */
  path: string;
  /** Absent: a directory. */
  data?: Buffer | string;
  /** Permission bits (default 0o755 for directories, 0o644 for files). */
  mode?: number;
}

const NEWC_MAGIC = '070701';
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const TRAILER = 'TRAILER!!!';
/** Archives end on this boundary, so the next concatenated archive starts aligned. */
const ARCHIVE_ALIGN = 512;
const PATH_RE = /^[A-Za-z0-9_.+-]+(?:\/[A-Za-z0-9_.+-]+)*$/;

const hex8 = (n: number): string => {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`cpio: ${n} does not fit in 8 hex digits`);
  return n.toString(16).padStart(8, '0');
};

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function header(ino: number, mode: number, size: number, name: string): Buffer {
  const nameBytes = Buffer.from(`${name}\0`, 'latin1');
  const fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, nameBytes.length, 0].map(hex8).join('');
  const head = Buffer.from(`${NEWC_MAGIC}${fields}`, 'latin1');
  return Buffer.concat([head, nameBytes, Buffer.alloc(pad4(head.length + nameBytes.length))]);
}

/** The archive of `entries`, in the given order, with its trailer, padded to 512 bytes. Pure. */
export function writeCpio(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((e, i) => {
    if (!PATH_RE.test(e.path) || e.path.split('/').some((p) => p === '.' || p === '..'))
      throw new TypeError(`cpio: path ${JSON.stringify(e.path)} is not allowed`);
    const data = e.data === undefined ? undefined : Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8');
    const mode = (data ? S_IFREG : S_IFDIR) | ((e.mode ?? (data ? 0o644 : 0o755)) & 0o7777);
    parts.push(header(i + 1, mode, data?.length ?? 0, e.path));
    if (data) parts.push(data, Buffer.alloc(pad4(data.length)));
  });
  parts.push(header(0, 0, 0, TRAILER));
  const body = Buffer.concat(parts);
  return Buffer.concat([body, Buffer.alloc((ARCHIVE_ALIGN - (body.length % ARCHIVE_ALIGN)) % ARCHIVE_ALIGN)]);
}
