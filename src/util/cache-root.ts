/**
 * The user cache of vblk-bench: guest images (guest-image/) and, when
 * /run/lock is not writable, the host lock (lifecycle/lock-dir.ts).
 */
import { homedir } from 'node:os';
import { posix } from 'node:path';

/** `$VBLK_BENCH_CACHE`, else `$XDG_CACHE_HOME/vblk-bench`, else `<home>/.cache/vblk-bench`. */
export function cacheRootFrom(env: Readonly<Record<string, string | undefined>>, home: string): string {
  if (env.VBLK_BENCH_CACHE) return env.VBLK_BENCH_CACHE;
  if (env.XDG_CACHE_HOME) return posix.join(env.XDG_CACHE_HOME, 'vblk-bench');
  return posix.join(home, '.cache', 'vblk-bench');
}

/** `$VBLK_BENCH_CACHE`, else `$XDG_CACHE_HOME/vblk-bench`, else `~/.cache/vblk-bench`. */
export function defaultGuestCacheRoot(): string {
  return cacheRootFrom(process.env, homedir());
}
