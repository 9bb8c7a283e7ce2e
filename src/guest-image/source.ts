/**
 * Where a benchmark guest comes from, resolved once per run from the
 * profile's `guest:` section, and everything the boot code needs from it:
 *
 *   - `builtin`: the built-in guest (kernel + initramfs) — optionally with the
 *     user's own kernel (`guest.kernel`) or a cached image picked by content
 *     hash (`guest.image_hash`);
 *   - `image`: the user's own disk image, booted by the firmware from a qcow2
 *     overlay (the image is never written), configured by a cloud-init
 *     NoCloud seed that authorizes vblk-bench's key.
 *
 * The boot code (src/run/guest-boot.ts) stays the same for both: it merges
 * `launchOverrides` into the launch spec, waits for `readyMarker` (if any),
 * then connects with `ssh` and the pinned (or first-use) host key.
 */
import { realpath, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, HostError } from '../model/errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import type { Profile } from '../profile/schema.js';
import type { BootGroup } from '../plan/groups.js';
import type { QemuLaunchSpec } from '../vm/launch-spec.js';
import { axisEntries } from '../plan/cells.js';
import { axisByName } from '../profile/axes.js';
import { firmwareDirFor } from '../vm/firmware.js';
import { parsePinnedHostKey } from '../guest/ssh-session.js';
import { ensureGuestImage, type GuestImage } from './guest-image.js';
import { cachedGuestImageByHash } from './export.js';
import { guestBuildRecord } from './manifest.js';
import { sha256Of } from '../util/sha256.js';
import { assessUserKernel, readKernelImage, type KernelImageFacts } from './kernel-image.js';
import { byoStateFor, createOverlay, imageSha256, inspectImage, writeSeedIso, type ImageFormat } from './byo/image.js';
import { GUEST_READY_MARKER } from './console-markers.js';
import { defaultGuestCacheRoot } from '../util/cache-root.js';
import type { RunDiagnostic } from '../model/diagnostic.js';

/** The overlay of a boot, in its boot directory; removed when the boot ends. */
const OVERLAY_NAME = 'os-overlay.qcow2';

export interface GuestSource {
  kind: 'builtin' | 'image';
  /** What environment.json records as `guest`. */
  record: Record<string, unknown>;
  /** For `-kernel`/`-initrd` ('' when the firmware boots the guest's disk). */
  kernelPath: string;
  initrdPath: string;
  /** Launch spec fields this guest sets for a boot in `bootDir`. Pure: --dry-run shows the same. */
  launchOverrides(bootDir: string): Partial<QemuLaunchSpec>;
  /** Creates what a boot needs (the overlay) and returns its cleanup. */
  prepareBoot(bootDir: string): Promise<() => Promise<void>>;
  /** The serial console line that says SSH is up, or null (wait for SSH itself). */
  readyMarker: string | null;
  bootTimeoutS: number;
  ssh: { username: string; privateKeyPath: string; commandPrefix: string[] };
  /** The host key to pin, or null when it is still to be learned (host_key: tofu, first boot). */
  pinnedHostKey(): Promise<string | null>;
  /** Stores a host key learned on first use. */
  rememberHostKey(line: string): Promise<void>;
  /** Why a boot of `group` cannot serve, from its serial console text; null when nothing is wrong. */
  diagnose(serial: string, group: BootGroup): string | null;
  /** What is worth telling, found while resolving (an own kernel not checked until boot, a backing file). */
  diagnostics: RunDiagnostic[];
}

export interface ResolveOptions {
  repoRoot: string;
  cacheRoot?: string;
  log?: (line: string) => void;
}

// ---------------------------------------------------------------- modules of the built-in initramfs

/** Drivers the built-in guest must have for these cells on this machine type. Pure. */
export function neededGuestModules(machine: string, schedulers: Iterable<string>): string[] {
  const needed = ['virtio_pci', 'virtio_blk', 'virtio_net'];
  if (machine.startsWith('microvm')) needed.push('virtio_mmio');
  const s = new Set(schedulers);
  if (s.has('bfq')) needed.push('bfq');
  if (s.has('kyber')) needed.push('kyber-iosched');
  return needed;
}

function profileSchedulers(profile: Profile): string[] {
  const axis = axisByName('scheduler');
  const entries = axisEntries(profile).find((a) => a.name === 'scheduler')?.entries ?? [];
  return entries.map((e) => String(axis ? axis.effective(e.requested).value : e.requested));
}

/** The modules the built-in guest's /init reported as neither loadable nor built in (`vblk-guest: modules that failed to load: a b`). Pure. */
export function failedModulesFromSerial(serial: string): string[] {
  const lines = serial.split(/\r?\n/).filter((l) => l.includes('vblk-guest: modules that failed to load:'));
  const last = lines[lines.length - 1];
  if (last === undefined) return [];
  return last
    .slice(last.indexOf('failed to load:') + 'failed to load:'.length)
    .trim()
    .split(/\s+/)
    .filter(Boolean);
}

/** The boot error for modules a group needs but the guest kernel could not get, or null. Pure. */
export function missingModulesMessage(
  failed: readonly string[],
  needed: readonly string[],
  kernel: { release: string | null; initramfsRelease: string },
): string | null {
  const missing = needed.filter((m) => failed.includes(m));
  if (missing.length === 0) return null;
  const which = kernel.release ?? 'the guest kernel';
  const why =
    kernel.release !== null && kernel.release !== kernel.initramfsRelease
      ? `the built-in initramfs carries modules for ${kernel.initramfsRelease} only, so ${which} must have them built in (=y)`
      : 'see the serial console for modprobe errors';
  return `guest kernel ${which} lacks modules the guest needs: ${missing.join(', ')} (neither built in nor loadable; ${why})`;
}

// ---------------------------------------------------------------- built-in guest

async function userKernel(
  path: string,
  image: GuestImage,
  profile: Profile,
): Promise<{ facts: KernelImageFacts; diagnostics: RunDiagnostic[] }> {
  const st = await stat(path).catch(() => null);
  if (!st?.isFile()) throw new InputError(`guest.kernel: ${path} is not a file`);
  let facts = await readKernelImage(path);
  // The embedded config matters only for a kernel of another release (bzImage: decompressing takes a second).
  if (facts && facts.release !== image.manifest.kernelVersion) facts = await readKernelImage(path, { config: true });
  if (!facts)
    throw new InputError(
      `guest.kernel: ${path} is neither an ELF vmlinux nor a bzImage (no ELF magic, no "HdrS" boot header)`,
    );
  if (facts.format === 'vmlinux' && !facts.pvh) {
    throw new InputError(
      `guest.kernel: ${path} is an ELF vmlinux without a PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): QEMU cannot boot it directly; use arch/x86/boot/bzImage or build with CONFIG_PVH=y`,
    );
  }
  const needed = neededGuestModules(profile.qemu.machine, profileSchedulers(profile));
  const verdict = assessUserKernel(facts, image.manifest.kernelVersion, needed);
  if (verdict.missing.length > 0) {
    throw new InputError(
      `guest.kernel: kernel ${facts.release ?? '(unknown release)'} lacks drivers the guest needs: ${verdict.missing.join(', ')}; ` +
        `the built-in initramfs only has modules for ${image.manifest.kernelVersion}: build them in (=y)`,
    );
  }
  return { facts, diagnostics: verdict.diagnostics };
}

async function builtinSource(
  profile: Profile & { guest: { kind: 'builtin' } },
  opts: ResolveOptions,
  firmwareDir: string | undefined,
): Promise<GuestSource> {
  const cacheRoot = opts.cacheRoot ?? defaultGuestCacheRoot();
  const g = profile.guest;
  const image = g.image_hash
    ? await cachedGuestImageByHash(cacheRoot, g.image_hash)
    : await ensureGuestImage({ repoRoot: opts.repoRoot, cacheRoot, build: true, log: opts.log });
  const own = g.kernel ? await userKernel(g.kernel, image, profile) : undefined;
  const kernelPath = own ? await realpath(g.kernel!) : g.kernel_format === 'vmlinux' ? image.vmlinux : image.vmlinuz;
  const release = own ? own.facts.release : image.manifest.kernelVersion;
  const record: Record<string, unknown> = {
    kind: 'builtin',
    imageHash: image.contentHash,
    kernel: release,
    kernelFormat: own ? own.facts.format : g.kernel_format,
    initramfsModules: image.manifest.kernelVersion,
    ...guestBuildRecord(image.manifest),
  };
  if (own) {
    record.userKernel = {
      path: kernelPath,
      sha256: sha256Of(await readFile(kernelPath)),
      version: own.facts.version,
      release: own.facts.release,
    };
  }
  return {
    kind: 'builtin',
    record,
    kernelPath,
    initrdPath: image.initramfs,
    launchOverrides: () => (firmwareDir === undefined ? {} : { firmwareDir }),
    prepareBoot: async () => async () => undefined,
    readyMarker: GUEST_READY_MARKER,
    bootTimeoutS: g.boot_timeout,
    ssh: { username: 'root', privateKeyPath: image.clientKeyPath, commandPrefix: [] },
    pinnedHostKey: async () => image.hostPublicKey,
    rememberHostKey: async () => undefined,
    diagnose: (serial, group) =>
      missingModulesMessage(
        failedModulesFromSerial(serial),
        neededGuestModules(
          profile.qemu.machine,
          group.cells.map((c) => String(c.values.scheduler ?? 'none')),
        ),
        { release, initramfsRelease: image.manifest.kernelVersion },
      ),
    diagnostics: own?.diagnostics ?? [],
  };
}

// ---------------------------------------------------------------- own image

/** Launch fields of an image guest booting in `bootDir`. Pure. */
export function imageLaunchOverrides(
  bootDir: string,
  seedPath: string,
  firmwareDir: string | undefined,
): Partial<QemuLaunchSpec> {
  return {
    kernel: '',
    initrd: '',
    append: '',
    osDisk: { path: join(bootDir, OVERLAY_NAME), format: 'qcow2', seedPath },
    ...(firmwareDir === undefined ? {} : { firmwareDir }),
  };
}

async function imageSource(
  profile: Profile & { guest: { kind: 'image' } },
  opts: ResolveOptions,
  firmwareDir: string | undefined,
): Promise<GuestSource> {
  const cacheRoot = opts.cacheRoot ?? defaultGuestCacheRoot();
  const g = profile.guest;
  if (profile.qemu.machine.startsWith('microvm')) {
    throw new InputError(
      `qemu.machine: ${profile.qemu.machine} has no firmware boot from a PCI disk; an own image (guest.kind: image) needs q35 or pc`,
    );
  }
  const st = await stat(g.path).catch(() => null);
  if (!st?.isFile()) throw new InputError(`guest.path: ${g.path} is not a file`);
  const path = await realpath(g.path);
  const info = await inspectImage(path);
  if (info.format !== 'qcow2' && info.format !== 'raw') {
    throw new InputError(
      `guest.path: ${g.path} is a ${info.format} image; qcow2 and raw are supported (qemu-img convert -O qcow2 ...)`,
    );
  }
  if (g.format !== undefined && g.format !== info.format) {
    throw new InputError(`guest.format: ${g.format}, but qemu-img reports ${info.format} for ${g.path}`);
  }
  const format: ImageFormat = g.format ?? (info.format as ImageFormat);
  opts.log?.(`guest image ${path}: hashing (cached by file identity after the first time)`);
  const hash = await imageSha256(path, cacheRoot);
  const state = await byoStateFor(cacheRoot, hash);
  const seedPath = await writeSeedIso(state, {
    user: g.user,
    authorizedKey: state.clientPublicKey,
    hostKey: g.host_key === 'seed' ? state.seedHostKey : undefined,
    instanceId: `vblk-${hash.slice(0, 16)}`,
    hostname: 'vblk-guest',
  });
  const known = async () => {
    const line = (await readFile(state.knownHostKeyPath, 'utf8').catch(() => '')).trim();
    return line === '' ? null : line;
  };
  return {
    kind: 'image',
    record: {
      kind: 'image',
      path,
      format,
      imageSha256: hash,
      virtualSizeBytes: info.virtualSizeBytes,
      user: g.user,
      hostKey: g.host_key,
      hostKeyFile: g.host_key === 'seed' ? `${join(state.dir, 'host_ed25519.pub')}` : state.knownHostKeyPath,
      seed: seedPath,
    },
    kernelPath: '',
    initrdPath: '',
    launchOverrides: (bootDir) => imageLaunchOverrides(bootDir, seedPath, firmwareDir),
    prepareBoot: async (bootDir) => {
      const overlay = join(bootDir, OVERLAY_NAME);
      await createOverlay(path, format, overlay);
      return () => rm(overlay, { force: true });
    },
    readyMarker: null,
    bootTimeoutS: g.boot_timeout,
    ssh: {
      username: g.user,
      privateKeyPath: state.clientKeyPath,
      commandPrefix: g.user === 'root' ? [] : ['sudo', '-n'],
    },
    pinnedHostKey: async () => (g.host_key === 'seed' ? state.seedHostKey.publicKey : await known()),
    rememberHostKey: async (line) => {
      parsePinnedHostKey(line); // refuses anything that is not a key line
      await writeFileAtomic(state.knownHostKeyPath, `${line}\n`, { mode: 0o644 });
    },
    diagnose: () => null,
    diagnostics: info.backingFile ? [{ kind: 'GuestImageBackingFile', path, backingFile: info.backingFile }] : [],
  };
}

/** Resolves `profile.guest` (builds the built-in guest if needed, hashes an own image, writes its seed). */
export async function resolveGuestSource(profile: Profile, opts: ResolveOptions): Promise<GuestSource> {
  const firmwareDir = await firmwareDirFor(profile.qemu.binary);
  if (firmwareDir !== undefined) opts.log?.(`firmware: -L ${firmwareDir} (pc-bios beside ${profile.qemu.binary})`);
  const g = profile.guest;
  if (g.kind === 'builtin') return builtinSource({ ...profile, guest: g }, opts, firmwareDir);
  if (g.kind === 'image') return imageSource({ ...profile, guest: g }, opts, firmwareDir);
  throw new HostError(`guest.kind: unknown kind`);
}

/** Launch fields for --dry-run, with placeholders for what a run creates. */
export async function dryRunGuest(
  profile: Profile,
): Promise<{ kernel: string; initrd: string; overrides: (bootDir: string) => Partial<QemuLaunchSpec> }> {
  const firmwareDir = await firmwareDirFor(profile.qemu.binary);
  const g = profile.guest;
  if (g.kind === 'image') {
    return {
      kernel: '',
      initrd: '',
      overrides: (bootDir) => imageLaunchOverrides(bootDir, '<cache>/byo/<image-hash>/seed.iso', firmwareDir),
    };
  }
  const kernel = g.kernel ?? (g.kernel_format === 'vmlinux' ? '<guest>/vmlinux' : '<guest>/vmlinuz');
  return {
    kernel,
    initrd: '<guest>/initramfs.cpio.zst',
    overrides: () => (firmwareDir === undefined ? {} : { firmwareDir }),
  };
}
