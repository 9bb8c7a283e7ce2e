/**
 * Which kernel a guest built now would get: the built-in guest resolves
 * `linux-image-amd64` through the local apt lists (scripts/guest/build-guest.sh:
 * `apt-cache depends`, then `apt-get download`), so what it boots follows the
 * lists as of the last `apt-get update`. `doctor` compares that offer with the
 * cached guest's manifest, so a pinned guest is moved on purpose, not found moved.
 *
 * Parsers and the Debian version order are pure (tested on captured apt-cache
 * output, test/fixtures/apt/); `readAptKernelOffer` runs apt-cache and never
 * `apt-get update`.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** The metapackage the guest build resolves. */
const KERNEL_METAPACKAGE = 'linux-image-amd64';
const APT_LISTS_DIR = '/var/lib/apt/lists';

/** `Candidate:` of `pkg` in `apt-cache policy <pkg>` output; null when apt has none (or does not know it). */
export function parseAptPolicyCandidate(text: string, pkg: string): string | null {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === `${pkg}:`);
  if (start < 0) return null;
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break; // the next package's block
    const m = /^\s+Candidate:\s*(\S+)\s*$/.exec(line);
    if (m) return m[1] === '(none)' ? null : m[1]!;
  }
  return null;
}

/** The kernel package `linux-image-amd64` depends on (`apt-cache depends` output), as build-guest.sh picks it. */
export function parseAptDependsKernel(text: string): string | null {
  return /^\s*Depends: (linux-image-[0-9]\S*-amd64)\s*$/m.exec(text)?.[1] ?? null;
}

/** dpkg's order of one character of a non-digit run: `~` before everything, letters before other characters. */
function charOrder(c: string | undefined): number {
  if (c === undefined || /[0-9]/.test(c)) return 0;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** dpkg's verrevcmp: alternating non-digit runs (by charOrder) and digit runs (numerically). */
function compareRuns(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const d = charOrder(a[i]) - charOrder(b[j]);
      if (d !== 0) return d;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    let firstDiff = 0;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

function splitVersion(v: string): { epoch: number; upstream: string; revision: string } {
  const colon = v.indexOf(':');
  const epoch = colon >= 0 ? Number(v.slice(0, colon)) : 0;
  const rest = colon >= 0 ? v.slice(colon + 1) : v;
  const dash = rest.lastIndexOf('-');
  return {
    epoch: Number.isFinite(epoch) ? epoch : 0,
    upstream: dash >= 0 ? rest.slice(0, dash) : rest,
    revision: dash >= 0 ? rest.slice(dash + 1) : '',
  };
}

/** Debian version order (as `dpkg --compare-versions`): negative, 0 or positive. */
export function compareDebianVersions(a: string, b: string): number {
  const x = splitVersion(a);
  const y = splitVersion(b);
  if (x.epoch !== y.epoch) return x.epoch - y.epoch;
  return Math.sign(compareRuns(x.upstream, y.upstream) || compareRuns(x.revision, y.revision));
}

/** What the local apt lists offer for the guest kernel, or why that is unknown. */
export type AptKernelOffer =
  { package: string; version: string; listsChangedAt: string | null } | { unavailable: string };

/** From the two apt-cache outputs (LC_ALL=C). Pure. */
export function aptKernelOfferFrom(policy: string, depends: string, listsChangedAt: string | null): AptKernelOffer {
  const version = parseAptPolicyCandidate(policy, KERNEL_METAPACKAGE);
  const pkg = parseAptDependsKernel(depends);
  if (version === null || pkg === null) {
    return {
      unavailable: `the apt lists offer no ${KERNEL_METAPACKAGE} (no Debian mirror configured, or apt-get update never ran)`,
    };
  }
  return { package: pkg, version, listsChangedAt };
}

/** When the apt lists last changed: the newest mtime of the lists directory and its files (ISO 8601), or null. */
async function aptListsChangedAt(dir: string): Promise<string | null> {
  const names = await readdir(dir).catch(() => null);
  if (names === null) return null;
  let newest = (await stat(dir).catch(() => null))?.mtimeMs ?? 0;
  for (const name of names) {
    if (name === 'lock' || name === 'partial' || name === 'auxfiles') continue;
    newest = Math.max(newest, (await stat(join(dir, name)).catch(() => null))?.mtimeMs ?? 0);
  }
  return newest > 0 ? new Date(newest).toISOString() : null;
}

/** Asks apt-cache (reads the local lists only; never updates them). */
export async function readAptKernelOffer(listsDir = APT_LISTS_DIR): Promise<AptKernelOffer> {
  const env = { LC_ALL: 'C' };
  const policy = await execa('apt-cache', ['policy', KERNEL_METAPACKAGE], { reject: false, timeout: 30_000, env });
  if ((policy as { code?: string }).code === 'ENOENT')
    return { unavailable: 'apt-cache not found (not a Debian host)' };
  const depends = await execa('apt-cache', ['depends', KERNEL_METAPACKAGE], { reject: false, timeout: 30_000, env });
  return aptKernelOfferFrom(
    String(policy.stdout ?? ''),
    String(depends.stdout ?? ''),
    await aptListsChangedAt(listsDir),
  );
}

/** The pin docs: how to keep a guest everywhere, and how to move it. */
const GUEST_PIN_DOCS = 'docs/comparing-and-gating.md, "Pinning the guest for nightly and CI"';

const when = (offer: { listsChangedAt: string | null }) =>
  offer.listsChangedAt
    ? `as of their last change, ${offer.listsChangedAt.slice(0, 16).replace('T', ' ')} UTC`
    : 'date unknown';

/**
 * doctor's verdict on the cached guest's kernel against the apt lists' offer. Pure.
 * A newer offer is a warning: a guest built now (a fresh cache, another
 * runner, `guest build --force`) boots another kernel, and runs on it are not
 * comparable with runs on the cached one.
 */
export function guestKernelCheck(
  cached: { name: string; version: string } | null,
  offer: AptKernelOffer,
): { level: 'ok' | 'warning' | 'info'; detail: string; hint?: string } {
  if ('unavailable' in offer) {
    return { level: 'info', detail: `cannot tell whether Debian offers a newer guest kernel: ${offer.unavailable}` };
  }
  const offered = `${offer.package} ${offer.version}`;
  if (cached === null) {
    return {
      level: 'info',
      detail: `no cached guest to compare; a guest built now gets ${offered} (apt lists ${when(offer)})`,
    };
  }
  const have = `${cached.name} ${cached.version}`;
  const order = compareDebianVersions(offer.version, cached.version);
  if (order > 0) {
    return {
      level: 'warning',
      detail:
        `the apt lists (${when(offer)}) offer ${offered}, newer than the cached guest's ${have}: a guest built now ` +
        `(fresh cache, another runner, \`guest build --force\`) boots the newer kernel, and gates between runs on the two say inconclusive ` +
        `(guest.packages.kernel: ${cached.version} → ${offer.version})`,
      hint: `keep the cached guest everywhere (guest export once, guest import --expect-hash on every runner, guest.image_hash in the profile), or move the pin on purpose: guest build --force, guest export, run, baseline save (${GUEST_PIN_DOCS})`,
    };
  }
  if (order < 0) {
    return {
      level: 'info',
      detail: `the cached guest's ${have} is newer than the apt lists offer (${offered}, ${when(offer)}): these lists are older than the ones it was built from`,
    };
  }
  return { level: 'ok', detail: `${have}, the newest the apt lists offer (${when(offer)})` };
}
