/**
 * A minimal POSIX ustar writer and a strict reader, for moving a guest image
 * between hosts (`vblk-bench guest export/import`). Only what that needs:
 * regular files with short names at the archive root. The reader refuses
 * everything else (directories, links, devices, paths, bad checksums) instead
 * of interpreting it, so a hostile archive cannot write outside its target.
 * Archives written here are ordinary tar files (`tar -tvf` lists them).
 */
import { open, type FileHandle } from 'node:fs/promises';

export const BLOCK = 512;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface TarHeader {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  /** '0' regular file; anything else is refused by the reader. */
  type: string;
}

function octal(value: number, width: number): string {
  // width includes the terminating NUL
  const s = Math.trunc(value).toString(8);
  if (s.length > width - 1) throw new RangeError(`tar: ${value} does not fit in ${width - 1} octal digits`);
  return s.padStart(width - 1, '0');
}

/** One 512-byte ustar header for a regular file. Pure. */
export function encodeHeader(h: { name: string; mode: number; size: number; mtime: number }): Buffer {
  if (!NAME_RE.test(h.name)) throw new TypeError(`tar: file name ${JSON.stringify(h.name)} is not allowed`);
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'latin1');
  b.write(`${octal(h.mode & 0o7777, 8)}\0`, 100, 'latin1');
  b.write(`${octal(0, 8)}\0`, 108, 'latin1'); // uid
  b.write(`${octal(0, 8)}\0`, 116, 'latin1'); // gid
  b.write(`${octal(h.size, 12)}\0`, 124, 'latin1');
  b.write(`${octal(h.mtime, 12)}\0`, 136, 'latin1');
  b.write('        ', 148, 'latin1'); // checksum placeholder: spaces
  b.write('0', 156, 'latin1');
  b.write('ustar\0' + '00', 257, 'latin1');
  b.write('root', 265, 'latin1');
  b.write('root', 297, 'latin1');
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${octal(sum, 7)}\0 `, 148, 'latin1');
  return b;
}

function field(b: Buffer, offset: number, length: number): string {
  const raw = b.subarray(offset, offset + length).toString('latin1');
  const nul = raw.indexOf('\0');
  return nul === -1 ? raw : raw.slice(0, nul);
}

function parseOctal(b: Buffer, offset: number, length: number, what: string): number {
  const text = field(b, offset, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new TarFormatError(`header ${what} is not an octal number`);
  return parseInt(text, 8);
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

/** A header block, or null for an all-zero block (end of archive). Throws on anything malformed. Pure. */
export function decodeHeader(b: Buffer): TarHeader | null {
  if (b.length !== BLOCK) throw new TarFormatError('truncated header');
  if (b.every((x) => x === 0)) return null;
  const stored = parseOctal(b, 148, 8, 'checksum');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  if (sum !== stored) throw new TarFormatError('header checksum mismatch');
  if (field(b, 257, 6) !== 'ustar') throw new TarFormatError('not a ustar archive');
  const prefix = field(b, 345, 155);
  const name = field(b, 0, 100);
  const type = field(b, 156, 1) || '0';
  return {
    name: prefix ? `${prefix}/${name}` : name,
    mode: parseOctal(b, 100, 8, 'mode'),
    size: parseOctal(b, 124, 12, 'size'),
    mtime: parseOctal(b, 136, 12, 'mtime'),
    type,
  };
}

const CHUNK = 1024 * 1024;

async function copyRange(from: FileHandle, fromPos: number, to: FileHandle, size: number): Promise<void> {
  const buf = Buffer.alloc(Math.min(CHUNK, Math.max(size, 1)));
  let done = 0;
  while (done < size) {
    const n = Math.min(buf.length, size - done);
    const { bytesRead } = await from.read(buf, 0, n, fromPos + done);
    if (bytesRead === 0) throw new TarFormatError('archive ends inside a file');
    await to.write(buf, 0, bytesRead);
    done += bytesRead;
  }
}

/** Writes `archive` holding the given files (read from disk) in this order. */
export async function writeTar(archive: string, files: { name: string; path: string; mode: number }[]): Promise<void> {
  const out = await open(archive, 'w', 0o644);
  try {
    for (const f of files) {
      const src = await open(f.path, 'r');
      try {
        const st = await src.stat();
        await out.write(
          encodeHeader({ name: f.name, mode: f.mode, size: st.size, mtime: Math.floor(st.mtimeMs / 1000) }),
        );
        await copyRange(src, 0, out, st.size);
        const pad = (BLOCK - (st.size % BLOCK)) % BLOCK;
        if (pad) await out.write(Buffer.alloc(pad));
      } finally {
        await src.close();
      }
    }
    await out.write(Buffer.alloc(2 * BLOCK));
  } finally {
    await out.close();
  }
}

/**
 * Extracts a tar written by writeTar into `destDir` (which must exist and be
 * empty), refusing any entry whose name is not in `allowed`, that is not a
 * regular file, that appears twice or that is larger than `maxBytes`.
 * Returns the names extracted, in archive order.
 */
export async function extractTar(
  archive: string,
  destDir: string,
  opts: { allowed: readonly string[]; maxBytes: number },
): Promise<string[]> {
  const src = await open(archive, 'r');
  const names: string[] = [];
  try {
    const total = (await src.stat()).size;
    let pos = 0;
    const header = Buffer.alloc(BLOCK);
    for (;;) {
      if (pos + BLOCK > total) throw new TarFormatError('archive ends without its end-of-archive blocks');
      await src.read(header, 0, BLOCK, pos);
      const h = decodeHeader(header);
      if (h === null) break;
      if (h.type !== '0')
        throw new TarFormatError(
          `entry ${JSON.stringify(h.name)} is not a regular file (type ${JSON.stringify(h.type)})`,
        );
      if (!opts.allowed.includes(h.name)) throw new TarFormatError(`unexpected entry ${JSON.stringify(h.name)}`);
      if (names.includes(h.name)) throw new TarFormatError(`entry ${h.name} appears twice`);
      if (h.size > opts.maxBytes)
        throw new TarFormatError(`entry ${h.name} is ${h.size} bytes, more than ${opts.maxBytes}`);
      if (pos + BLOCK + h.size > total) throw new TarFormatError(`archive ends inside ${h.name}`);
      const out = await open(`${destDir}/${h.name}`, 'wx', 0o600);
      try {
        await copyRange(src, pos + BLOCK, out, h.size);
      } finally {
        await out.close();
      }
      names.push(h.name);
      pos += BLOCK + Math.ceil(h.size / BLOCK) * BLOCK;
    }
  } finally {
    await src.close();
  }
  return names;
}
