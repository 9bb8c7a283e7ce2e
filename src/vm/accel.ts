/**
 * Which accelerator a run uses. The decision is pure (decideAccel) so every
 * host situation is unit-tested; probeKvm is the only I/O.
 */
import { access, open } from 'node:fs/promises';
import { HostError } from '../model/errors.js';
import type { Accel } from '../model/sample.js';
import type { KvmCause, RunWarning } from '../model/diagnostic.js';

export type KvmProvider = 'kvm_intel' | 'kvm_amd' | 'kvm_pvm' | 'unknown';

export interface KvmProbe {
  devicePresent: boolean;
  openable: boolean;
  openError?: string;
  /** Vendor module behind /dev/kvm; null when no KVM module is present at all. */
  provider: KvmProvider | null;
}

export type AccelRequest = 'auto' | 'kvm' | 'tcg';

const PVM_REASON = '/dev/kvm is provided by kvm_pvm, which only runs PVM-enabled guest kernels';
const TCG_HINT = 'set qemu.accel: tcg (or auto) in the profile';

/** Why KVM is unusable and which fix applies, or null when it is usable. */
export function kvmUnusable(probe: KvmProbe): { why: string; cause: KvmCause } | null {
  if (probe.provider === 'kvm_pvm')
    return { why: `${PVM_REASON} (standard guests do not boot) — a known non-working KVM`, cause: 'pvm' };
  if (!probe.devicePresent) return { why: '/dev/kvm does not exist (no KVM on this host)', cause: 'absent' };
  if (!probe.openable) {
    return {
      why: `/dev/kvm exists but cannot be opened read-write${probe.openError ? ` (${probe.openError})` : ''}`,
      cause: 'permission',
    };
  }
  return null;
}

/** The accelerator, and a KvmUnusable warning when `auto` falls back to TCG (callers add the TCG one for any TCG run). */
export function decideAccel(requested: AccelRequest, probe: KvmProbe): { accel: Accel; warnings: RunWarning[] } {
  const unusable = kvmUnusable(probe);
  switch (requested) {
    case 'tcg':
      return { accel: 'tcg', warnings: [] };
    case 'kvm':
      if (unusable) {
        throw new HostError(
          `qemu.accel is kvm but KVM is not usable here: ${unusable.why}`,
          unusable.cause === 'permission'
            ? `give this user access to /dev/kvm (the kvm group), or ${TCG_HINT}`
            : TCG_HINT,
        );
      }
      return { accel: 'kvm', warnings: [] };
    case 'auto':
      return unusable
        ? { accel: 'tcg', warnings: [{ kind: 'KvmUnusable', ...unusable }] }
        : { accel: 'kvm', warnings: [] };
    default: {
      const never: never = requested;
      throw new HostError(`unknown accelerator request ${String(never)}`);
    }
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Looks at /dev/kvm and /sys/module. Never throws. */
export async function probeKvm(root = ''): Promise<KvmProbe> {
  const device = `${root}/dev/kvm`;
  let devicePresent = false;
  let openable = false;
  let openError: string | undefined;
  try {
    const fh = await open(device, 'r+');
    await fh.close();
    devicePresent = true;
    openable = true;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    devicePresent = e.code !== 'ENOENT';
    if (devicePresent) openError = `${e.code ?? 'error'}: ${e.message}`;
  }
  // Only one vendor module can own KVM at a time; kvm_pvm is checked first
  // because it is the one that makes /dev/kvm useless for standard guests.
  let provider: KvmProvider | null = null;
  for (const mod of ['kvm_pvm', 'kvm_intel', 'kvm_amd'] as const) {
    if (await exists(`${root}/sys/module/${mod}`)) {
      provider = mod;
      break;
    }
  }
  if (provider === null && devicePresent) provider = 'unknown';
  return openError === undefined
    ? { devicePresent, openable, provider }
    : { devicePresent, openable, openError, provider };
}
