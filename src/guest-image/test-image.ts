/**
 * The test image: a small bootable qcow2 that stands in for a user's own
 * guest image (`guest: {kind: image}`), built from Debian packages and the
 * built-in guest by scripts/test-image/build-test-image.sh, cached like the
 * built-in guest. It boots through SeaBIOS and SYSLINUX and reads a cloud-init
 * NoCloud seed with a tiny init (see docs/byo-guest.md). The end-to-end tests
 * use it; `vblk-bench guest test-image` prints its path for trying the
 * bring-your-own path by hand.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256File, sha256Of } from '../util/sha256.js';
import { acquireBuildLock, dirInputsHash, GuestImageError, runBuildScript, type GuestImage } from './guest-image.js';

const TEST_IMAGE_SCRIPTS_DIR = join('scripts', 'test-image');
const TEST_IMAGE_FILE = 'vblk-test-image.qcow2';

const manifestSchema = z.object({
  schemaVersion: z.literal(1),
  image: z.literal(TEST_IMAGE_FILE),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().positive(),
  kernelVersion: z.string(),
  inputsHash: z.string(),
  buildSeconds: z.number().optional(),
  builtAt: z.string(),
});
export type TestImageManifest = z.infer<typeof manifestSchema>;

export interface TestImage {
  dir: string;
  /** The qcow2: use it as `guest.path`. */
  path: string;
  manifest: TestImageManifest;
}

/** The test image in `dir`, checked against its manifest; throws GuestImageError when absent or different. */
async function loadTestImage(dir: string): Promise<TestImage> {
  const text = await readFile(join(dir, 'manifest.json'), 'utf8').catch(() => null);
  if (text === null) throw new GuestImageError(`no test image in ${dir}`);
  const parsed = manifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new GuestImageError(`test image ${dir}: invalid manifest.json`);
  const path = join(dir, TEST_IMAGE_FILE);
  const st = await stat(path).catch(() => null);
  if (!st || st.size !== parsed.data.size || (await sha256File(path)) !== parsed.data.sha256) {
    throw new GuestImageError(`test image ${path} is missing or does not match its manifest`);
  }
  return { dir, path, manifest: parsed.data };
}

/** Returns the cached test image for these scripts and this built-in guest, building it when absent (about 15 s). */
export async function ensureTestImage(opts: {
  repoRoot: string;
  cacheRoot: string;
  guest: GuestImage;
  force?: boolean;
  log?: (line: string) => void;
}): Promise<TestImage> {
  const log = opts.log ?? (() => {});
  const inputsHash = sha256Of(
    `${await dirInputsHash(join(opts.repoRoot, TEST_IMAGE_SCRIPTS_DIR))}\n${opts.guest.contentHash}\n`,
  );
  const dir = join(opts.cacheRoot, 'test-image', inputsHash.slice(0, 16));
  const cached = () =>
    loadTestImage(dir).catch((e: unknown) => (e instanceof GuestImageError ? null : Promise.reject(e)));
  if (!opts.force) {
    const image = await cached();
    if (image) return image;
  }
  await mkdir(join(opts.cacheRoot, 'test-image'), { recursive: true });
  const lock = await acquireBuildLock(dir, 'test image', log);
  try {
    if (!opts.force) {
      const image = await cached();
      if (image) return image;
    }
    const m = opts.guest.manifest;
    await runBuildScript({
      what: 'test image',
      argv: [join(opts.repoRoot, TEST_IMAGE_SCRIPTS_DIR, 'build-test-image.sh'), opts.guest.dir, dir],
      cwd: opts.repoRoot,
      env: {
        VBLK_TESTIMG_KPKG: m.kernelPackage.name,
        VBLK_TESTIMG_KPKG_VERSION: m.kernelPackage.version,
        VBLK_TESTIMG_KVER: m.kernelVersion,
        VBLK_TESTIMG_DROPBEAR_VERSION: m.dropbear.version,
        VBLK_TESTIMG_INPUTS_HASH: inputsHash,
      },
      logPath: `${dir}.build.log`,
      progressPrefix: '[build-test-image',
      log,
      expected: 'takes about 15 s',
      into: dir,
    });
    return await loadTestImage(dir);
  } finally {
    lock.release();
  }
}
