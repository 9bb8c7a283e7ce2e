/**
 * Pure logic of the built-in guest image: the manifest's shape and validation,
 * the content hash, the inputs hash and the cache-root rule. No I/O here: callers
 * read the bytes/stat the files and pass them in (see guest-image.ts).
 */
import { sha256Of } from '../util/sha256.js';
import { posix } from 'node:path';
import { z } from 'zod';

/** Files every image directory holds besides manifest.json, all hashed in the manifest. */
export const GUEST_IMAGE_FILES = [
  'vmlinuz',
  'vmlinux',
  'initramfs.cpio.zst',
  'id_ed25519',
  'id_ed25519.pub',
  'host_key.pub',
] as const;

export const GUEST_MANIFEST_NAME = 'manifest.json';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase sha256 hex digest');

const manifestSchema = z.object({
  schemaVersion: z.literal(1),
  kernelVersion: z.string().regex(/^\d+\.\d+\.\d+-\d+-amd64$/, 'expected like 6.1.0-N-amd64'),
  kernelPackage: z.object({ name: z.string().min(1), version: z.string().min(1) }),
  busybox: z.object({ package: z.string().min(1), version: z.string().min(1), packageVersion: z.string().min(1) }),
  dropbear: z.object({ package: z.string().min(1), version: z.string().min(1) }),
  fio: z.object({
    version: z.string().min(1),
    sourcePackageVersion: z.string().min(1),
    static: z.literal(true),
    configureFlags: z.array(z.string()),
  }),
  modules: z.array(z.string()),
  files: z.record(z.string(), z.object({ sha256: sha256Hex, size: z.number().int().nonnegative() })),
  inputsHash: z.string().optional(),
  buildSeconds: z.number().nonnegative().optional(),
  builtAt: z.string().min(1),
});

/** manifest.json as written by scripts/guest/build-guest.sh. */
export interface GuestManifest {
  schemaVersion: 1;
  /** e.g. `6.1.0-56-amd64` (uname -r in the guest). */
  kernelVersion: string;
  kernelPackage: { name: string; version: string };
  busybox: { package: string; version: string; packageVersion: string };
  dropbear: { package: string; version: string };
  fio: { version: string; sourcePackageVersion: string; static: true; configureFlags: string[] };
  /** Kernel modules shipped in the initramfs (with their dependencies). */
  modules: string[];
  /** sha256 and size of every file in GUEST_IMAGE_FILES. */
  files: Record<string, { sha256: string; size: number }>;
  /** guestInputsHash() of the scripts that built it, when the build was started by ensureGuestImage. */
  inputsHash?: string;
  buildSeconds?: number;
  /** ISO 8601 UTC. */
  builtAt: string;
}

/** Parses manifest.json text; returns the manifest or the list of problems found. */
export function parseGuestManifest(text: string): { manifest: GuestManifest } | { problems: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { problems: [`${GUEST_MANIFEST_NAME}: not valid JSON (${(e as Error).message})`] };
  }
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map(
        (i) => `${GUEST_MANIFEST_NAME}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`,
      ),
    };
  }
  const manifest = parsed.data as GuestManifest;
  const problems = GUEST_IMAGE_FILES.filter((f) => !(f in manifest.files)).map(
    (f) => `${GUEST_MANIFEST_NAME}: files.${f}: missing (no hash recorded)`,
  );
  return problems.length ? { problems } : { manifest };
}

/** What was observed of one file on disk. */
export interface ObservedFile {
  exists: boolean;
  size?: number;
  sha256?: string;
  /** Permission bits (st_mode & 0o777). */
  mode?: number;
}

/** Files that must not be readable by others (OpenSSH refuses such a private key). */
const PRIVATE_FILES: readonly string[] = ['id_ed25519'];

/**
 * Compares the files found on disk with the manifest. Returns one line per problem,
 * each naming the file: missing, size or sha256 mismatch, private key too open.
 */
export function checkImageFiles(manifest: GuestManifest, observed: Record<string, ObservedFile>): string[] {
  const problems: string[] = [];
  for (const name of GUEST_IMAGE_FILES) {
    const want = manifest.files[name];
    const got = observed[name];
    if (!got || !got.exists) {
      problems.push(`${name}: missing`);
      continue;
    }
    if (!want) continue; // reported by parseGuestManifest
    if (got.size !== undefined && got.size !== want.size) {
      problems.push(`${name}: size ${got.size} bytes, manifest says ${want.size} (corrupt or replaced)`);
    } else if (got.sha256 !== undefined && got.sha256 !== want.sha256) {
      problems.push(`${name}: sha256 ${got.sha256} does not match the manifest's ${want.sha256} (corrupt or tampered)`);
    }
    if (PRIVATE_FILES.includes(name) && got.mode !== undefined && (got.mode & 0o077) !== 0) {
      problems.push(`${name}: mode ${got.mode.toString(8).padStart(4, '0')}, must be 0600 (private key)`);
    }
  }
  return problems;
}

/**
 * Identity of an image: sha256 over the manifest's per-file hashes (sorted by
 * file name), so it changes whenever any shipped file changes, and only then.
 */
export function contentHashOf(manifest: GuestManifest): string {
  const lines = Object.keys(manifest.files)
    .sort()
    .map((name) => `${name} ${manifest.files[name]!.sha256}\n`);
  return sha256Of(lines.join(''));
}

/**
 * Hash of the build inputs: each file's relative path (POSIX separators) and the
 * sha256 of its bytes, sorted by path. Renaming, adding, removing or editing any
 * file changes it.
 */
export function computeInputsHash(files: ReadonlyArray<{ path: string; data: Uint8Array }>): string {
  const entries = files
    .map((f) => ({ path: posix.normalize(f.path.split('\\').join('/')), digest: sha256Of(f.data) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.path)) throw new Error(`computeInputsHash: duplicate path ${e.path}`);
    seen.add(e.path);
  }
  return sha256Of(entries.map((e) => `${e.path}\0${e.digest}\n`).join(''));
}

/** `<cacheRoot>/guest/<first 16 hex of the inputs hash>`. */
export function guestImageDirFor(cacheRoot: string, inputsHash: string): string {
  if (!/^[0-9a-f]{16,}$/.test(inputsHash)) throw new Error(`not an inputs hash: ${inputsHash}`);
  return posix.join(cacheRoot, 'guest', inputsHash.slice(0, 16));
}

/** The host public key line (`ssh-ed25519 AAAA...`) out of host_key.pub's text, or an error line. */
export function parseHostKeyLine(text: string): { line: string } | { problem: string } {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (!line) return { problem: 'host_key.pub: empty' };
  const m = /^(ssh-ed25519) ([A-Za-z0-9+/]+={0,2})(?: .*)?$/.exec(line);
  if (!m) return { problem: `host_key.pub: not an OpenSSH ssh-ed25519 public key line: ${line.slice(0, 60)}` };
  return { line: `${m[1]} ${m[2]}` };
}

/** Last `n` non-empty lines of a log text. */
export function lastLines(text: string, n: number): string[] {
  const lines = text.split('\n');
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  return lines.slice(-n);
}

/**
 * What a built-in guest was built from, as each run's environment.json records
 * it under `guest`: the Debian package versions of its kernel, busybox,
 * dropbear and fio (source package), and the hash of the recipe (scripts/guest/).
 * A gate then names what moved (`guest.packages.kernel: 6.1.176-1 → 6.1.192-3`)
 * instead of only a different image hash. The kernel's ABI (`6.1.0-N-amd64`)
 * is recorded beside it as `guest.initramfsModules` (and `guest.kernel`).
 */
export function guestBuildRecord(manifest: GuestManifest): {
  packages: Record<string, string>;
  recipeHash: string | null;
} {
  return {
    packages: {
      kernel: manifest.kernelPackage.version,
      busybox: manifest.busybox.packageVersion,
      dropbear: manifest.dropbear.version,
      fio: manifest.fio.sourcePackageVersion,
    },
    recipeHash: manifest.inputsHash ?? null,
  };
}
