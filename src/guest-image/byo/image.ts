/**
 * A user's own guest image: what it is (qemu-img info), who it is (sha256,
 * cached by file identity so a multi-GB image is hashed once), its state in
 * the cache (keys, the learned host key, the seed) and the per-boot qcow2
 * overlay that keeps it unmodified.
 *
 * Cache layout, keyed by the image's sha256 (first 16 hex digits):
 *   <cacheRoot>/byo/<hash16>/id_ed25519[.pub]       client key vblk-bench logs in with (0600)
 *   <cacheRoot>/byo/<hash16>/host_ed25519[.pub]     host key handed to the guest (host_key: seed)
 *   <cacheRoot>/byo/<hash16>/known_host_key.pub     host key learned on first boot (host_key: tofu)
 *   <cacheRoot>/byo/<hash16>/seed/{user-data,meta-data}, seed-<user>-<mode>.iso
 *   <cacheRoot>/byo/index/<sha256 of the real path>.json   hash cache: {size, mtimeMs, ino, sha256}
 */
import { chmod, mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { HostError } from '../../model/errors.js';
import { replaceFileAtomic, writeFileAtomic } from '../../util/atomic-file.js';
import { sha256File, sha256Of } from '../../util/sha256.js';
import { findExecutable } from '../../vm/process.js';
import { generateEd25519KeyPair, type SshKeyPair } from './ssh-keys.js';
import { buildMetaData, buildUserData, seedIsoArgv, type IsoTool, type SeedInput } from './seed.js';

export type ImageFormat = 'qcow2' | 'raw';

export interface ImageInfo {
  format: string;
  virtualSizeBytes: number;
  backingFile: string | null;
}

/** `qemu-img info` argv (without the binary): `-U` reads an image another QEMU has open. */
export function qemuImgInfoArgv(path: string): string[] {
  return ['info', '--output=json', '-U', path];
}

/** Parses `qemu-img info --output=json`. Pure. */
export function parseQemuImgInfo(json: string): ImageInfo {
  const data = JSON.parse(json) as { format?: unknown; 'virtual-size'?: unknown; 'backing-filename'?: unknown };
  if (typeof data.format !== 'string' || typeof data['virtual-size'] !== 'number') {
    throw new Error('qemu-img info: no format/virtual-size in its output');
  }
  return {
    format: data.format,
    virtualSizeBytes: data['virtual-size'],
    backingFile: typeof data['backing-filename'] === 'string' ? data['backing-filename'] : null,
  };
}

/** `qemu-img create` argv (without the binary) of an overlay whose backing file is the image, opened read-only by QEMU. */
export function overlayArgv(image: string, format: ImageFormat, overlay: string): string[] {
  return ['create', '-q', '-f', 'qcow2', '-b', image, '-F', format, overlay];
}

export async function inspectImage(path: string): Promise<ImageInfo> {
  const r = await execa('qemu-img', qemuImgInfoArgv(path), { reject: false, timeout: 60_000 });
  if (r.exitCode !== 0) {
    const why =
      String(r.stderr ?? r.shortMessage ?? '')
        .trim()
        .split('\n')
        .pop() ?? 'failed';
    throw new HostError(
      `guest.path: qemu-img cannot read ${path}: ${why}`,
      'qemu-img comes with qemu-utils (scripts/setup-host.sh)',
    );
  }
  return parseQemuImgInfo(String(r.stdout));
}

export async function createOverlay(image: string, format: ImageFormat, overlay: string): Promise<void> {
  const r = await execa('qemu-img', overlayArgv(image, format, overlay), { reject: false, timeout: 60_000 });
  if (r.exitCode !== 0)
    throw new HostError(`qemu-img create (overlay of ${image}): ${String(r.stderr ?? '').trim() || r.shortMessage}`);
}

/** sha256 of the image, from the index when the file's size, mtime and inode are unchanged. */
export async function imageSha256(path: string, cacheRoot: string): Promise<string> {
  const real = await realpath(path);
  const st = await stat(real);
  const indexDir = join(cacheRoot, 'byo', 'index');
  const indexFile = join(indexDir, `${sha256Of(real)}.json`);
  const cached = JSON.parse(await readFile(indexFile, 'utf8').catch(() => 'null')) as {
    size: number;
    mtimeMs: number;
    ino: number;
    sha256: string;
  } | null;
  if (
    cached &&
    cached.size === st.size &&
    cached.mtimeMs === st.mtimeMs &&
    cached.ino === st.ino &&
    /^[0-9a-f]{64}$/.test(cached.sha256)
  ) {
    return cached.sha256;
  }
  const sha256 = await sha256File(real);
  await mkdir(indexDir, { recursive: true });
  await writeFileAtomic(
    indexFile,
    JSON.stringify({ path: real, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, sha256 }),
    { mode: 0o644 },
  );
  return sha256;
}

export interface ByoState {
  dir: string;
  clientKeyPath: string;
  clientPublicKey: string;
  /** Generated once per image; handed to the guest with host_key: seed. */
  seedHostKey: SshKeyPair;
  knownHostKeyPath: string;
}

async function keyPair(dir: string, base: string, comment: string): Promise<{ path: string; pair: SshKeyPair }> {
  const path = join(dir, base);
  const priv = await readFile(path, 'utf8').catch(() => null);
  const pub = await readFile(`${path}.pub`, 'utf8').catch(() => null);
  if (priv !== null && pub !== null) return { path, pair: { privateKey: priv, publicKey: pub.trim() } };
  const pair = generateEd25519KeyPair(comment);
  await writeFileAtomic(path, pair.privateKey, { mode: 0o600 });
  await writeFileAtomic(`${path}.pub`, `${pair.publicKey}\n`, { mode: 0o644 });
  return { path, pair };
}

/** The image's directory in the cache, with its keys (created on first use). */
export async function byoStateFor(cacheRoot: string, imageHash: string): Promise<ByoState> {
  const dir = join(cacheRoot, 'byo', imageHash.slice(0, 16));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const client = await keyPair(dir, 'id_ed25519', 'vblk-bench-client');
  const host = await keyPair(dir, 'host_ed25519', 'vblk-bench-host');
  return {
    dir,
    clientKeyPath: client.path,
    clientPublicKey: client.pair.publicKey,
    seedHostKey: host.pair,
    knownHostKeyPath: join(dir, 'known_host_key.pub'),
  };
}

/** The ISO tool on this host: Debian's genisoimage (scripts/setup-host.sh), else xorriso. */
async function findIsoTool(): Promise<IsoTool> {
  if (await findExecutable('genisoimage')) return 'genisoimage';
  if (await findExecutable('xorriso')) return 'xorriso';
  throw new HostError(
    'neither genisoimage nor xorriso is installed: cannot write the cloud-init seed',
    'install genisoimage (scripts/setup-host.sh)',
  );
}

/** Writes the seed files and the ISO into the state directory; returns the ISO's path. */
export async function writeSeedIso(state: ByoState, input: SeedInput): Promise<string> {
  const seedDir = join(state.dir, 'seed');
  await mkdir(seedDir, { recursive: true, mode: 0o700 });
  const files = { userData: join(seedDir, 'user-data'), metaData: join(seedDir, 'meta-data') };
  await writeFileAtomic(files.userData, buildUserData(input), { mode: 0o600 });
  await writeFileAtomic(files.metaData, buildMetaData(input), { mode: 0o600 });
  const iso = join(state.dir, `seed-${input.user}-${input.hostKey ? 'seed' : 'tofu'}.iso`);
  const tool = await findIsoTool();
  await replaceFileAtomic(
    iso,
    async (tmp) => {
      const [bin, ...args] = seedIsoArgv(tool, tmp, files);
      const r = await execa(bin!, args, { reject: false, timeout: 60_000 });
      if (r.exitCode !== 0) {
        throw new HostError(
          `${bin} could not write the cloud-init seed: ${
            String(r.stderr ?? '')
              .trim()
              .split('\n')
              .pop() ?? r.shortMessage
          }`,
        );
      }
    },
    { mode: 0o600 },
  );
  return iso;
}
