/**
 * The aggregate `cpu` line of /proc/stat, shared by the host's steal reading
 * and the guest's CPU snapshot: the first eight fields, USER_HZ ticks (guest
 * and guest_nice, beyond `steal`, are already inside user and nice).
 */
export const PROC_STAT_CPU_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/** The numeric fields of the aggregate `cpu` line (all of them), or null when there is no such line. */
export function aggregateCpuFields(text: string): number[] | null {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  return line ? line.trim().split(/\s+/).slice(1).map(Number) : null;
}
