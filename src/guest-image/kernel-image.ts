/**
 * What can be learned from a kernel image file before booting it: its
 * format (ELF vmlinux or bzImage), its release (`uname -r`), whether QEMU can
 * boot an ELF directly (PVH entry note), and — when the kernel embeds its
 * configuration (CONFIG_IKCONFIG) — which drivers are built in.
 *
 * The built-in initramfs ships modules for Debian's kernel only; a user's
 * kernel of another release must have the drivers the guest needs built in.
 * Parsers here are pure (Buffers in, facts out); readKernelImage does the I/O.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import type { RunDiagnostic } from '../model/diagnostic.js';

export type KernelFormat = 'vmlinux' | 'bzImage';

/** `vmlinux` for an ELF file, `bzImage` for a Linux boot-protocol image, else null. */
export function detectKernelFormat(head: Buffer): KernelFormat | null {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x7f454c46) return 'vmlinux';
  if (head.length >= 0x206 && head.toString('latin1', 0x202, 0x206) === 'HdrS') return 'bzImage';
  return null;
}

const RELEASE_RE = /^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$/;

/**
 * The version string of a bzImage: the boot header's `kernel_version` field
 * (offset 0x20e, boot protocol ≥ 2.00) points at a NUL-terminated string 0x200
 * bytes further, e.g. `6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP ...`.
 */
export function bzImageVersionString(image: Buffer): string | null {
  if (detectKernelFormat(image) !== 'bzImage' || image.length < 0x210) return null;
  if (image.readUInt16LE(0x206) < 0x0200) return null;
  const pointer = image.readUInt16LE(0x20e);
  if (pointer === 0) return null;
  const start = pointer + 0x200;
  if (start >= image.length) return null;
  const end = image.indexOf(0, start);
  const text = image.toString('latin1', start, end === -1 ? Math.min(image.length, start + 512) : end);
  return /^[\x20-\x7e]+$/.test(text) ? text : null;
}

/** `Linux version 6.1.0-56-amd64 (...) #1 SMP ...` from an uncompressed kernel (the linux_banner string). */
export function vmlinuxVersionString(image: Buffer): string | null {
  const needle = Buffer.from('Linux version ', 'latin1');
  for (let at = image.indexOf(needle); at !== -1; at = image.indexOf(needle, at + 1)) {
    const end = image.indexOf(0, at);
    const text = image.toString('latin1', at + needle.length, end === -1 ? at + 512 : Math.min(end, at + 512));
    const release = text.split(' ')[0] ?? '';
    // Skip format strings such as linux_proc_banner's "%s version %s".
    if (RELEASE_RE.test(release) && /^[\x20-\x7e\n]+$/.test(text)) return text.trim();
  }
  return null;
}

/** The release (first word) of a version string. */
export function releaseOf(versionString: string): string | null {
  const release = versionString.trim().split(/\s+/)[0] ?? '';
  return RELEASE_RE.test(release) ? release : null;
}

/** True when an ELF64 kernel carries XEN_ELFNOTE_PHYS32_ENTRY (type 0x12, owner "Xen"): QEMU's PVH entry. */
export function hasPvhEntryNote(elf: Buffer): boolean {
  if (detectKernelFormat(elf) !== 'vmlinux' || elf.length < 64 || elf[4] !== 2 || elf[5] !== 1) return false; // ELFCLASS64, little endian
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (ph + 56 > elf.length) return false;
    if (elf.readUInt32LE(ph) !== 4) continue; // PT_NOTE
    const offset = Number(elf.readBigUInt64LE(ph + 0x08));
    const size = Number(elf.readBigUInt64LE(ph + 0x20));
    let p = offset;
    const end = Math.min(offset + size, elf.length);
    while (p + 12 <= end) {
      const namesz = elf.readUInt32LE(p);
      const descsz = elf.readUInt32LE(p + 4);
      const type = elf.readUInt32LE(p + 8);
      const name = elf.toString('latin1', p + 12, p + 12 + Math.max(0, namesz - 1));
      if (name === 'Xen' && type === 0x12) return true;
      p += 12 + Math.ceil(namesz / 4) * 4 + Math.ceil(descsz / 4) * 4;
    }
  }
  return false;
}

/** The embedded .config (CONFIG_IKCONFIG: gzip between "IKCFG_ST" and "IKCFG_ED"), or null. */
export function embeddedConfig(uncompressed: Buffer): string | null {
  const start = uncompressed.indexOf('IKCFG_ST', 0, 'latin1');
  if (start === -1) return null;
  const end = uncompressed.indexOf('IKCFG_ED', start, 'latin1');
  if (end === -1) return null;
  try {
    return gunzipSync(uncompressed.subarray(start + 8, end)).toString('utf8');
  } catch {
    return null;
  }
}

/** `CONFIG_X=y|m|...` lines → map (commented-out `# CONFIG_X is not set` are absent). */
export function parseKernelConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** The compressed payload of a bzImage (setup_sects, payload_offset/length), with its compression. */
function bzImagePayload(
  image: Buffer,
): { data: Buffer; compression: 'gzip' | 'xz' | 'zstd' | 'lzma' | 'other' } | null {
  if (detectKernelFormat(image) !== 'bzImage' || image.length < 0x250 || image.readUInt16LE(0x206) < 0x0208)
    return null;
  const setupSects = image[0x1f1] || 4;
  const offset = (setupSects + 1) * 512 + image.readUInt32LE(0x248);
  const length = image.readUInt32LE(0x24c);
  if (offset + length > image.length) return null;
  const data = image.subarray(offset, offset + length);
  const hex = data.subarray(0, 6).toString('hex');
  const compression = hex.startsWith('1f8b')
    ? 'gzip'
    : hex.startsWith('fd377a585a00')
      ? 'xz'
      : hex.startsWith('28b52ffd')
        ? 'zstd'
        : hex.startsWith('5d0000')
          ? 'lzma'
          : 'other';
  return { data, compression };
}

/** Decompresses a bzImage payload with node:zlib or Debian's xz/zstd tools; null when that is not possible. */
async function decompressPayload(p: NonNullable<ReturnType<typeof bzImagePayload>>): Promise<Buffer | null> {
  const run = async (cmd: string, args: string[], input: Buffer) => {
    const r = await execa(cmd, args, {
      input,
      encoding: 'buffer',
      reject: false,
      timeout: 120_000,
      maxBuffer: 1024 * 1024 * 1024,
    });
    // The kernel appends a size trailer: decompressors may complain about it after writing everything.
    return r.stdout && r.stdout.length > 0 ? Buffer.from(r.stdout) : null;
  };
  switch (p.compression) {
    case 'gzip':
      try {
        return gunzipSync(p.data, { finishFlush: 2 /* Z_SYNC_FLUSH: tolerate the trailer */ });
      } catch {
        return null;
      }
    case 'xz':
      return run('xz', ['-dc', '--single-stream'], p.data);
    case 'lzma':
      return run('xz', ['-dc', '--format=lzma'], p.data);
    case 'zstd':
      return run('zstd', ['-dcq'], p.data.subarray(0, p.data.length - 4));
    default:
      return null;
  }
}

export interface KernelImageFacts {
  path: string;
  format: KernelFormat;
  /** The whole version string (`6.1.0-56-amd64 (debian-kernel@...) #1 SMP ...`), or null if not found. */
  version: string | null;
  /** `uname -r` of that kernel, or null if not found. */
  release: string | null;
  /** ELF only: QEMU boots it directly (PVH entry). */
  pvh: boolean;
  /** CONFIG_* values when the kernel embeds its configuration, else null. */
  config: Map<string, string> | null;
}

/** Reads a kernel image file. Throws only for I/O errors; an unknown format gives format null via the caller's check. */
export async function readKernelImage(path: string, opts: { config?: boolean } = {}): Promise<KernelImageFacts | null> {
  const image = await readFile(path);
  const format = detectKernelFormat(image);
  if (format === null) return null;
  if (format === 'vmlinux') {
    const version = vmlinuxVersionString(image);
    const config = embeddedConfig(image);
    return {
      path,
      format,
      version,
      release: version ? releaseOf(version) : null,
      pvh: hasPvhEntryNote(image),
      config: config ? parseKernelConfig(config) : null,
    };
  }
  const version = bzImageVersionString(image);
  const payload = bzImagePayload(image);
  const inner = payload && opts.config ? await decompressPayload(payload).catch(() => null) : null;
  const config = inner ? embeddedConfig(inner) : null;
  return {
    path,
    format,
    version,
    release: version ? releaseOf(version) : null,
    pvh: false,
    config: config ? parseKernelConfig(config) : null,
  };
}

/** Kernel drivers the guest loads, with the option that builds each in. */
const GUEST_MODULE_CONFIG: Readonly<Record<string, string>> = {
  virtio_pci: 'CONFIG_VIRTIO_PCI',
  virtio_blk: 'CONFIG_VIRTIO_BLK',
  virtio_net: 'CONFIG_VIRTIO_NET',
  virtio_mmio: 'CONFIG_VIRTIO_MMIO',
  bfq: 'CONFIG_IOSCHED_BFQ',
  'kyber-iosched': 'CONFIG_MQ_IOSCHED_KYBER',
};

export interface KernelAssessment {
  /** Modules that cannot be had: `virtio_blk (CONFIG_VIRTIO_BLK=m)`. Non-empty = the kernel cannot serve. */
  missing: string[];
  /** What could not be decided before booting. */
  diagnostics: RunDiagnostic[];
}

/**
 * Whether a user's kernel can run with the built-in initramfs. Same release
 * as the initramfs' modules: they load. Otherwise every needed module must
 * be built in: decided from the embedded config when there is one, else left
 * to the boot (the guest's /init reports modules that fail to load).
 */
export function assessUserKernel(
  facts: Pick<KernelImageFacts, 'release' | 'config'>,
  initramfsRelease: string,
  needed: readonly string[],
): KernelAssessment {
  if (facts.release === initramfsRelease) return { missing: [], diagnostics: [] };
  const other = facts.release === null ? 'a kernel of unknown release' : `kernel ${facts.release}`;
  if (facts.config === null) {
    return {
      missing: [],
      diagnostics: [{ kind: 'GuestKernelUnchecked', kernel: other, initramfs: initramfsRelease, modules: [...needed] }],
    };
  }
  const missing: string[] = [];
  for (const module of needed) {
    const option = GUEST_MODULE_CONFIG[module];
    if (option === undefined) continue;
    const value = facts.config.get(option);
    if (value !== 'y') missing.push(`${module} (${option}${value === undefined ? ' is not set' : `=${value}`})`);
  }
  return { missing, diagnostics: [] };
}
