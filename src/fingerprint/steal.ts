/**
 * Host CPU steal time: the share of time the host's own hypervisor ran
 * something else on this machine's CPUs. Read from the aggregate `cpu` line of
 * /proc/stat before and after each fio window; any steal means the host was
 * not ours alone while we measured. Parsing is pure; `readHostCpuTimes` reads.
 */
import { readFile } from 'node:fs/promises';
import { aggregateCpuFields, PROC_STAT_CPU_FIELDS } from '../host/proc-stat.js';

export interface CpuTimes {
  /** Sum of user, nice, system, idle, iowait, irq, softirq and steal ticks (guest time is inside user/nice). */
  total: number;
  steal: number;
}

/** The aggregate `cpu ` line of /proc/stat, or null when absent or malformed. */
export function parseProcStat(text: string): CpuTimes | null {
  const fields = (aggregateCpuFields(text) ?? []).slice(0, PROC_STAT_CPU_FIELDS.length);
  if (fields.length < PROC_STAT_CPU_FIELDS.length || fields.some((f) => !Number.isFinite(f))) return null;
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

/** Mean steal of each cell's samples that recorded it (ok samples only), by cell key. */
export function stealByCell(samples: readonly { cellKey: string; status: string; observed: Record<string, unknown> }[]): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const s of samples) {
    const v = s.observed[HOST_STEAL_KEY];
    if (s.status !== 'ok' || typeof v !== 'number' || !Number.isFinite(v)) continue;
    const acc = sums.get(s.cellKey) ?? { sum: 0, n: 0 };
    sums.set(s.cellKey, { sum: acc.sum + v, n: acc.n + 1 });
  }
  return new Map([...sums].map(([key, { sum, n }]) => [key, sum / n]));
}

/** Steal over all ok samples that recorded it: mean and max in %, and how many samples had any. */
export function stealSummary(samples: readonly { status: string; observed: Record<string, unknown> }[]): { mean: number; max: number; nonZero: number; n: number } | null {
  const values = samples
    .filter((s) => s.status === 'ok')
    .map((s) => s.observed[HOST_STEAL_KEY])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return null;
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    max: Math.max(...values),
    nonZero: values.filter((v) => v > 0).length,
    n: values.length,
  };
}
