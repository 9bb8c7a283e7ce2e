/**
 * Host CPU steal time: the share of time the host's own hypervisor ran
 * something else on this machine's CPUs. Read from the aggregate `cpu` line of
 * /proc/stat before and after each fio window; any steal means the host was
 * not ours alone while we measured. Parsing is pure; `readHostCpuTimes` reads.
 * The run stores it per sample (model/observed-keys.ts); fingerprint/steal.ts
 * sums it up for the reports.
 */
import { readFile } from 'node:fs/promises';
import { aggregateCpuFields, PROC_STAT_CPU_FIELDS } from './proc-stat.js';

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
