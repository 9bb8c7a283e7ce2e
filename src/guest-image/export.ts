/**
 * `vblk-bench guest export/import`: move a built guest image to another host
 * as one tar file, with its content hash checked on the way in. Mirrors drop
 * old kernels, so a guest rebuilt later is a different guest; nightly history
 * needs the very same one.
 *
 * The archive holds the image files, manifest.json and an export record
 * (vblk-guest-export.json) naming the content hash. Import refuses, with one
 * line, an archive whose entries are not exactly those, a file whose sha256
 * differs from the manifest, or a manifest whose content hash differs from
 * the export record (or from `--expect-hash`, the only check that also holds
 * against someone who rewrote all three consistently).
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { HostError } from '../model/errors.js';
import { replaceFileAtomic } from '../util/atomic-file.js';
import { GUEST_IMAGE_FILES, GUEST_MANIFEST_NAME, guestImageDirFor } from './manifest.js';
import { GuestImageError, loadGuestImage, type GuestImage } from './guest-image.js';
import { extractTar, TarFormatError, writeTar } from './tar.js';

const EXPORT_RECORD_NAME = 'vblk-guest-export.json';
const ARCHIVE_ENTRIES = [EXPORT_RECORD_NAME, GUEST_MANIFEST_NAME, ...GUEST_IMAGE_FILES] as const;
/** Larger than any guest file (vmlinux is ~66 MB). */
const MAX_ENTRY_BYTES = 1024 * 1024 * 1024;
const HASH_PREFIX_RE = /^[0-9a-f]{8,64}$/;

const exportRecordSchema = z.object({
  format: z.literal('vblk-bench-guest-export'),
  formatVersion: z.literal(1),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  kernelVersion: z.string(),
  exportedAt: z.string(),
});
export type ExportRecord = z.infer<typeof exportRecordSchema>;

function exportRecordFor(image: GuestImage, now: Date): ExportRecord {
  return {
    format: 'vblk-bench-guest-export',
    formatVersion: 1,
    contentHash: image.contentHash,
    kernelVersion: image.manifest.kernelVersion,
    exportedAt: now.toISOString(),
  };
}

/** Writes `archive` from a loaded (hence verified) image. */
export async function exportGuestImage(image: GuestImage, archive: string): Promise<ExportRecord> {
  const record = exportRecordFor(image, new Date());
  const tmp = await mkdtemp(join(tmpdir(), 'vblk-export-'));
  const recordPath = join(tmp, EXPORT_RECORD_NAME);
  await writeFile(recordPath, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
  try {
    const entries = [
      { name: EXPORT_RECORD_NAME, path: recordPath, mode: 0o644 },
      { name: GUEST_MANIFEST_NAME, path: join(image.dir, GUEST_MANIFEST_NAME), mode: 0o644 },
      ...GUEST_IMAGE_FILES.map((f) => ({
        name: f,
        path: join(image.dir, f),
        mode: f === 'id_ed25519' ? 0o600 : 0o644,
      })),
    ];
    await replaceFileAtomic(archive, (partial) => writeTar(partial, entries));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return record;
}

/** Every valid image in the cache whose content hash starts with `prefix`. */
async function findCachedGuestImages(cacheRoot: string, prefix: string): Promise<GuestImage[]> {
  if (!HASH_PREFIX_RE.test(prefix))
    throw new HostError(`image hash: ${JSON.stringify(prefix)} is not 8 to 64 lower-case hex digits`);
  const base = join(cacheRoot, 'guest');
  const names = await readdir(base).catch(() => [] as string[]);
  const found: GuestImage[] = [];
  for (const name of names.filter((n) => /^[0-9a-f]{16}$/.test(n)).sort()) {
    try {
      const image = await loadGuestImage(join(base, name));
      if (image.contentHash.startsWith(prefix)) found.push(image);
    } catch (err) {
      if (!(err instanceof GuestImageError)) throw err;
    }
  }
  return found;
}

/** The one cached image whose content hash starts with `prefix`; a clear error for none or several. */
export async function cachedGuestImageByHash(cacheRoot: string, prefix: string): Promise<GuestImage> {
  const found = await findCachedGuestImages(cacheRoot, prefix);
  if (found.length === 0) {
    throw new HostError(
      `no valid guest image with content hash ${prefix} in ${join(cacheRoot, 'guest')}`,
      'import it with `vblk-bench guest import <file.tar>` (see `vblk-bench guest export` on the host that has it)',
    );
  }
  if (found.length > 1)
    throw new HostError(`content hash prefix ${prefix} matches ${found.length} images; give more digits`);
  return found[0]!;
}

/** A refused import: one line saying why. */
export class ImportRefusedError extends HostError {
  constructor(archive: string, reason: string) {
    super(`refusing ${archive}: ${reason}`);
    this.name = 'ImportRefusedError';
  }
}

export interface ImportResult {
  image: GuestImage;
  /** False when an identical image was already in the cache. */
  installed: boolean;
}

/**
 * Checks `archive` completely in a staging directory, then moves it to
 * `<cacheRoot>/guest/<inputs hash>` (where `run` looks for it when this
 * checkout's scripts/guest/ are the same). `force` replaces a different
 * image at that place.
 */
export async function importGuestImage(
  archive: string,
  opts: { cacheRoot: string; expectHash?: string; force?: boolean },
): Promise<ImportResult> {
  if (opts.expectHash !== undefined && !HASH_PREFIX_RE.test(opts.expectHash)) {
    throw new HostError(`--expect-hash: ${JSON.stringify(opts.expectHash)} is not 8 to 64 lower-case hex digits`);
  }
  const base = join(opts.cacheRoot, 'guest');
  await mkdir(base, { recursive: true });
  const staging = join(base, `.import-${process.pid}-${Date.now()}`);
  await mkdir(staging, { mode: 0o700 });
  try {
    let names: string[];
    try {
      names = await extractTar(archive, staging, { allowed: ARCHIVE_ENTRIES, maxBytes: MAX_ENTRY_BYTES });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ImportRefusedError(archive, 'no such file');
      if (err instanceof TarFormatError) throw new ImportRefusedError(archive, `not a guest export: ${err.message}`);
      throw err;
    }
    const missing = ARCHIVE_ENTRIES.filter((n) => !names.includes(n));
    if (missing.length > 0)
      throw new ImportRefusedError(archive, `not a complete guest export: ${missing.join(', ')} missing`);
    for (const f of [EXPORT_RECORD_NAME, GUEST_MANIFEST_NAME, ...GUEST_IMAGE_FILES]) {
      await chmod(join(staging, f), f === 'id_ed25519' ? 0o600 : 0o644);
    }
    const parsed = exportRecordSchema.safeParse(
      JSON.parse(await readFile(join(staging, EXPORT_RECORD_NAME), 'utf8').catch(() => 'null')),
    );
    if (!parsed.success)
      throw new ImportRefusedError(archive, `${EXPORT_RECORD_NAME} is not a vblk-bench export record`);
    const record = parsed.data;

    let image: GuestImage;
    try {
      image = await loadGuestImage(staging);
    } catch (err) {
      if (!(err instanceof GuestImageError)) throw err;
      const first = err.problems[0] ?? err.message.split('\n')[0] ?? 'invalid';
      throw new ImportRefusedError(
        archive,
        `${first}${/tampered|corrupt/.test(first) ? '' : ' (tampered or corrupt)'}`,
      );
    }
    if (image.contentHash !== record.contentHash) {
      throw new ImportRefusedError(
        archive,
        `content hash ${image.contentHash} of the files does not match ${record.contentHash} in ${EXPORT_RECORD_NAME} (tampered)`,
      );
    }
    if (opts.expectHash !== undefined && !image.contentHash.startsWith(opts.expectHash)) {
      throw new ImportRefusedError(archive, `content hash ${image.contentHash} is not the expected ${opts.expectHash}`);
    }
    const inputsHash = image.manifest.inputsHash;
    if (inputsHash === undefined || !/^[0-9a-f]{16,}$/.test(inputsHash)) {
      throw new ImportRefusedError(
        archive,
        'manifest.json has no inputsHash (image not built by `vblk-bench guest build`)',
      );
    }
    const dir = guestImageDirFor(opts.cacheRoot, inputsHash);
    const existing = await loadGuestImage(dir).catch(() => undefined);
    if (existing && existing.contentHash === image.contentHash) return { image: existing, installed: false };
    if (existing && !opts.force) {
      throw new HostError(
        `${dir} already holds another guest image (content hash ${existing.contentHash})`,
        'pass --force to replace it with the imported one',
      );
    }
    await rm(join(staging, EXPORT_RECORD_NAME), { force: true });
    // A different image (with --force) or an invalid leftover.
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
    return { image: await loadGuestImage(dir), installed: true };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
