/**
 * Firmware for a QEMU that is not installed: a binary in a QEMU build tree
 * finds no firmware in the system data directories of another QEMU version
 * (or none at all). QEMU's configure links the blobs into `<build>/pc-bios`;
 * `-L <that dir>` makes QEMU look there first. An installed QEMU (a name on
 * PATH, or a binary without a pc-bios beside it) gets no `-L`.
 */
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { findExecutable } from './process.js';

/** The firmware q35/pc boots with: a pc-bios directory without it is not the one. */
const MARKER_BLOB = 'bios-256k.bin';

/** Candidate directories for a binary path, most specific first. Pure. */
export function firmwareDirCandidates(binaryPath: string): string[] {
  const dir = dirname(binaryPath);
  // <build>/qemu-system-x86_64 next to <build>/pc-bios; an in-tree build has <tree>/pc-bios one level up.
  return [join(dir, 'pc-bios'), join(dirname(dir), 'pc-bios')];
}

/** The first candidate holding MARKER_BLOB, else undefined. Pure given `exists`. */
export function pickFirmwareDir(binaryPath: string, exists: (path: string) => boolean): string | undefined {
  return firmwareDirCandidates(binaryPath).find((d) => exists(join(d, MARKER_BLOB)));
}

/** `-L` directory for `qemu.binary`, or undefined for a binary named on PATH or with no pc-bios beside it. */
export async function firmwareDirFor(binary: string): Promise<string | undefined> {
  if (!binary.includes('/')) return undefined;
  const path = await findExecutable(binary);
  if (!path) return undefined;
  const found = new Set<string>();
  for (const c of firmwareDirCandidates(path)) {
    if (
      await access(join(c, MARKER_BLOB)).then(
        () => true,
        () => false,
      )
    )
      found.add(c);
  }
  return pickFirmwareDir(path, (p) => found.has(dirname(p)));
}
