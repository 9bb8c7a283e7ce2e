/**
 * Profile checks that need the host: what `disk.path` is. A write workload
 * against a host block device destroys what is on it, so it is refused at
 * validation time unless the profile says `disk.allow_writes: true`.
 */
import { stat } from 'node:fs/promises';
import type { Profile } from './schema.js';
import { isWriteWorkload } from './workload.js';

export type DiskKind = 'created' | 'file' | 'block' | 'missing' | 'other';

/**
 * The workloads the profile can run, each with the profile path that asks for
 * it: the matrix's `rw` axis if it has one, else fio.rw. Pure.
 */
export function workloadsOf(profile: Profile): { path: string; rw: string }[] {
  const axis = (profile.matrix as Record<string, { requested: unknown }[] | undefined>).rw;
  if (axis !== undefined) return axis.map((e, i) => ({ path: `matrix.rw[${i}]`, rw: String(e.requested) }));
  return [{ path: 'fio.rw', rw: profile.fio.rw }];
}

/** `path: problem` lines for the disk as the host has it. Pure. */
export function diskProblems(profile: Profile, kind: DiskKind): string[] {
  const where = profile.disk.path ?? '';
  if (kind === 'missing') return [`disk.path: ${where} does not exist`];
  if (kind === 'other') return [`disk.path: ${where} is neither a file nor a block device`];
  if (kind !== 'block' || profile.disk.allow_writes) return [];
  return workloadsOf(profile)
    .filter((w) => isWriteWorkload(w.rw))
    .map(
      (w) =>
        `${w.path}: ${w.rw} writes to the block device ${where} (disk.path) and destroys its contents; ` +
        'refused unless the profile sets disk.allow_writes: true',
    );
}

async function diskKindOf(path: string | undefined): Promise<DiskKind> {
  if (path === undefined) return 'created';
  const info = await stat(path).catch(() => null);
  if (!info) return 'missing';
  if (info.isBlockDevice()) return 'block';
  return info.isFile() ? 'file' : 'other';
}

/** The profile's host-dependent problems (empty: none). */
export async function checkDiskAgainstHost(profile: Profile): Promise<string[]> {
  return diskProblems(profile, await diskKindOf(profile.disk.path));
}
