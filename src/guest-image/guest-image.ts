/**
 * The built-in guest: a Debian 12 kernel plus a small initramfs (busybox, static fio,
 * dropbear), built by scripts/guest/build-guest.sh into a per-inputs cache directory.
 * See docs/guest-image.md.
 */
import { createWriteStream, constants as fsConstants } from 'node:fs';
import { access, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { execa } from 'execa';
import { HostError } from '../model/errors.js';
import { acquireLock, describeHolder, type HeldLock } from '../lifecycle/lock.js';
import { defaultGuestCacheRoot } from '../util/cache-root.js';
import { sha256File } from '../util/sha256.js';
import {
  checkImageFiles,
  computeInputsHash,
  contentHashOf,
  GUEST_IMAGE_FILES,
  GUEST_MANIFEST_NAME,
  guestImageDirFor,
  lastLines,
  parseGuestManifest,
  parseHostKeyLine,
  type GuestManifest,
  type ObservedFile,
} from './manifest.js';

export type { GuestManifest } from './manifest.js';
export { GUEST_IMAGE_FILES } from './manifest.js';

export interface GuestImage {
  /** The image directory (`<cacheRoot>/guest/<hash16>`). */
  dir: string;
  /** Uncompressed ELF kernel: QEMU boots it through its PVH entry (fastest under TCG). */
  vmlinux: string;
  /** Debian's bzImage (the same kernel). */
  vmlinuz: string;
  /** zstd-compressed newc cpio. */
  initramfs: string;
  /** OpenSSH-format ed25519 private key (mode 0600) authorized for root in the guest. */
  clientKeyPath: string;
  /** The guest's host key, one line: `ssh-ed25519 AAAA...`. */
  hostPublicKey: string;
  manifest: GuestManifest;
  /** sha256 over the manifest's file hashes: identifies the image's content. */
  contentHash: string;
}

/** The image directory is missing, incomplete, corrupt, or could not be built. */
export class GuestImageError extends HostError {
  constructor(
    message: string,
    readonly problems: string[] = [],
    hint?: string,
  ) {
    super(problems.length ? `${message}\n  ${problems.join('\n  ')}` : message, hint);
    this.name = 'GuestImageError';
  }
}

/** Relative path of the build inputs inside the repository. */
const GUEST_SCRIPTS_DIR = join('scripts', 'guest');
const GUEST_BUILD_SCRIPT = join(GUEST_SCRIPTS_DIR, 'build-guest.sh');

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** sha256 of the files under `<repoRoot>/scripts/guest/`, by relative path: the image is rebuilt when it changes. */
export async function guestInputsHash(repoRoot: string): Promise<string> {
  return dirInputsHash(join(repoRoot, GUEST_SCRIPTS_DIR));
}

/** sha256 of every file under `base`, by relative path (see computeInputsHash). */
export async function dirInputsHash(base: string): Promise<string> {
  let paths: string[];
  try {
    paths = await listFiles(base);
  } catch (e) {
    throw new GuestImageError(`cannot read the build inputs in ${base}: ${(e as Error).message}`);
  }
  if (paths.length === 0) throw new GuestImageError(`no build inputs in ${base}`);
  const files = await Promise.all(
    paths.map(async (p) => ({ path: relative(base, p).split(sep).join('/'), data: await readFile(p) })),
  );
  return computeInputsHash(files);
}

async function observe(path: string, hash: boolean): Promise<ObservedFile> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return { exists: false };
    return { exists: true, size: st.size, mode: st.mode & 0o777, sha256: hash ? await sha256File(path) : undefined };
  } catch {
    return { exists: false };
  }
}

/**
 * Loads an image directory: every file must exist and match the manifest's sha256.
 * Throws a GuestImageError naming each missing or corrupt file.
 */
export async function loadGuestImage(dir: string): Promise<GuestImage> {
  const manifestPath = join(dir, GUEST_MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch {
    throw new GuestImageError(`guest image ${dir} is incomplete`, [`${GUEST_MANIFEST_NAME}: missing`]);
  }
  const parsed = parseGuestManifest(text);
  if ('problems' in parsed) throw new GuestImageError(`guest image ${dir} has an invalid manifest`, parsed.problems);
  const { manifest } = parsed;

  const observed: Record<string, ObservedFile> = {};
  // Sizes first (cheap); hash only when every file is there with the right size.
  for (const f of GUEST_IMAGE_FILES) observed[f] = await observe(join(dir, f), false);
  let problems = checkImageFiles(manifest, observed);
  if (problems.length === 0) {
    for (const f of GUEST_IMAGE_FILES) observed[f] = await observe(join(dir, f), true);
    problems = checkImageFiles(manifest, observed);
  }
  let hostPublicKey = '';
  if (problems.length === 0) {
    const key = parseHostKeyLine(await readFile(join(dir, 'host_key.pub'), 'utf8'));
    if ('problem' in key) problems.push(key.problem);
    else hostPublicKey = key.line;
  }
  if (problems.length) throw new GuestImageError(`guest image ${dir} is not usable`, problems);

  return {
    dir,
    vmlinux: join(dir, 'vmlinux'),
    vmlinuz: join(dir, 'vmlinuz'),
    initramfs: join(dir, 'initramfs.cpio.zst'),
    clientKeyPath: join(dir, 'id_ed25519'),
    hostPublicKey,
    manifest,
    contentHash: contentHashOf(manifest),
  };
}

export interface EnsureGuestImageOptions {
  /** Repository root (holds scripts/guest/). */
  repoRoot: string;
  /** Default: defaultGuestCacheRoot(). */
  cacheRoot?: string;
  /** Build the image if it is missing or invalid; otherwise throw. */
  build: boolean;
  /** Rebuild even when a valid image exists (implies building). */
  force?: boolean;
  /** Progress lines (the build's own output goes to `<dir>.build.log`). */
  log?: (line: string) => void;
}

const BUILD_HINT = "run `vblk-bench guest build` (needs the packages of scripts/setup-host.sh and Debian's apt mirror)";

/**
 * Returns the image for the current build inputs, from the cache when it is valid,
 * else builds it (`build: true`) or throws telling the user to run `vblk-bench guest build`.
 */
export async function ensureGuestImage(opts: EnsureGuestImageOptions): Promise<GuestImage> {
  const log = opts.log ?? (() => {});
  const cacheRoot = opts.cacheRoot ?? defaultGuestCacheRoot();
  const inputsHash = await guestInputsHash(opts.repoRoot);
  const dir = guestImageDirFor(cacheRoot, inputsHash);

  let invalid: GuestImageError | undefined;
  if (!opts.force) {
    try {
      return await loadGuestImage(dir);
    } catch (e) {
      if (!(e instanceof GuestImageError)) throw e;
      if (await exists(dir)) invalid = e;
    }
    if (!opts.build) {
      if (invalid) throw new GuestImageError(invalid.message, [], BUILD_HINT);
      throw new GuestImageError(`no guest image for the current scripts/guest/ (expected ${dir})`, [], BUILD_HINT);
    }
    if (invalid) log(`cached guest image is not usable, rebuilding: ${invalid.message}`);
  }

  await mkdir(join(cacheRoot, 'guest'), { recursive: true });
  const lock = await acquireBuildLock(dir, 'guest image', log);
  try {
    // Another process may have built it while we waited for the lock.
    if (!opts.force) {
      try {
        return await loadGuestImage(dir);
      } catch (e) {
        if (!(e instanceof GuestImageError)) throw e;
      }
    }
    await runBuild(opts.repoRoot, dir, inputsHash, log);
    return await loadGuestImage(dir);
  } finally {
    lock.release();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

async function runBuild(repoRoot: string, dir: string, inputsHash: string, log: (line: string) => void): Promise<void> {
  await runBuildScript({
    what: 'guest image',
    argv: [join(repoRoot, GUEST_BUILD_SCRIPT), dir],
    cwd: repoRoot,
    env: { VBLK_GUEST_INPUTS_HASH: inputsHash },
    logPath: `${dir}.build.log`,
    progressPrefix: '[build-guest',
    log,
    expected: 'takes about a minute',
    into: dir,
  });
}

/**
 * Runs a build script (bash) with its output in `logPath`; lines starting with
 * `progressPrefix` go to `log`. A failure throws a GuestImageError with the
 * log's last 20 lines. Shared by the built-in guest and the test image.
 */
export async function runBuildScript(opts: {
  what: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  logPath: string;
  progressPrefix: string;
  log: (line: string) => void;
  expected: string;
  into: string;
}): Promise<void> {
  const { logPath, log } = opts;
  log(`building ${opts.what} into ${opts.into} (log: ${logPath}); ${opts.expected}`);
  const started = Date.now();
  const out = createWriteStream(logPath);
  await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
  const sub = execa('bash', opts.argv, {
    cwd: opts.cwd,
    all: true,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    env: opts.env,
  });
  let pending = '';
  sub.all?.on('data', (chunk: Buffer) => {
    out.write(chunk);
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) if (l.startsWith(opts.progressPrefix)) log(l);
  });
  const result = await sub;
  await new Promise<void>((resolve) => out.end(() => resolve()));
  if (result.failed) {
    const text = await readFile(logPath, 'utf8').catch(() => '');
    const why = result.exitCode !== undefined ? `exit code ${result.exitCode}` : (result.signal ?? result.shortMessage);
    throw new GuestImageError(
      `${opts.what} build failed (${why}); last 20 lines of ${logPath}:`,
      lastLines(text, 20),
      'check the log; scripts/setup-host.sh installs what the build needs',
    );
  }
  log(`${opts.what} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** A build may wait this long for another process's build of the same image. */
const BUILD_LOCK_WAIT_MS = 30 * 60_000;

/**
 * `<dir>.lock`, which lets one process at a time build `what` into `dir`: a
 * lock file like the host lock (lifecycle/lock.ts) — waits while a live
 * process holds it, takes over one whose holder is gone.
 */
export function acquireBuildLock(dir: string, what: string, log: (line: string) => void): Promise<HeldLock> {
  const path = `${dir}.lock`;
  return acquireLock(path, {
    purpose: `building the ${what} into ${dir}`,
    waitMs: BUILD_LOCK_WAIT_MS,
    onWait: (holder) => log(`another ${what} build (${describeHolder(holder)}) holds ${path}; waiting for it`),
    onTakeover: log,
  });
}
