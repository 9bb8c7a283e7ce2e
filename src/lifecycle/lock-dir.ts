/**
 * Where host-wide locks and the list of runs in progress live:
 * `$VBLK_BENCH_LOCK_DIR`, else /run/lock/vblk-bench (tmpfs: cleared at boot,
 * when no run can be in progress anyway), else — when that cannot be
 * created, e.g. without root — `<cache>/locks`.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HostError } from '../model/errors.js';
import { defaultGuestCacheRoot } from '../util/cache-root.js';

export const LOCK_DIR_ENV = 'VBLK_BENCH_LOCK_DIR';
const DEFAULT_LOCK_DIR = '/run/lock/vblk-bench';

async function usable(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await access(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export async function resolveLockDir(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const chosen = env[LOCK_DIR_ENV];
  if (chosen) {
    if (await usable(chosen)) return chosen;
    throw new HostError(
      `${LOCK_DIR_ENV}=${chosen}: cannot create or write that directory`,
      `point ${LOCK_DIR_ENV} at a writable directory, or unset it`,
    );
  }
  for (const dir of [DEFAULT_LOCK_DIR, join(defaultGuestCacheRoot(), 'locks')]) {
    if (await usable(dir)) return dir;
  }
  throw new HostError(
    `no writable lock directory (${DEFAULT_LOCK_DIR}, ${join(defaultGuestCacheRoot(), 'locks')})`,
    `set ${LOCK_DIR_ENV} to a writable directory`,
  );
}

/** The lock that makes one run at a time use this host (its CPUs, memory bandwidth, tmpfs). */
export const hostLockPath = (lockDir: string): string => join(lockDir, 'host.lock');
/** Host-wide list of runs in progress (see run-registry.ts). */
export const runRegistryDir = (lockDir: string): string => join(lockDir, 'runs');
