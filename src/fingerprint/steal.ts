/**
 * Host CPU steal time: the share of time the host's own hypervisor ran
 * something else on this machine's CPUs. Read from the aggregate `cpu` line of
 * /proc/stat before and after each fio window; any steal means the host was
 * not ours alone while we measured. Parsing is pure; `readHostCpuTimes` reads.
 */
import { readFile } from 'node:fs/promises';

export interface CpuTimes {
  /** Sum of user, nice, system, idle, iowait, irq, softirq and steal ticks (guest time is inside user/nice). */
  total: number;
  steal: number;
}

/** The aggregate `cpu ` line of /proc/stat, or null when absent or malformed. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  const fields = line?.trim().split(/\s+/).slice(1, 9).map(Number) ?? [];
  if (fields.length < 8 || fields.some((f) => !Number.isFinite(f))) return null;
  return { total: fields.reduce((s, f) => s + f, 0), steal: fields[7] ?? 0 };
}

export async function readHostCpuTimes(path = '/proc/stat'): Promise<CpuTimes | null> {
  return parseProcStat(await readFile(path, 'utf8').catch(() => ''));
}

/** Steal between two readings in % of all CPU time (0..100); null when either reading is missing or no time passed. */
export function stealPctBetween(before: CpuTimes | null, after: CpuTimes | null): number | null {
  if (!before || !after) return null;
  const total = after.total - before.total;
  if (!(total > 0)) return null;
  return (Math.max(0, after.steal - before.steal) / total) * 100;
}

/** The key under which a sample's `observed` carries the steal of its fio window. */
export const HOST_STEAL_KEY = 'hostStealPct';
/** The key under which a sample's `observed` carries the guest fio version (fio's JSON `fio version`). */
export const GUEST_FIO_KEY = 'guestFio';
