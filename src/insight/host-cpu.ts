/**
 * Host CPU by role over the window: per-thread deltas between two readings,
 * classified (thread-roles.ts) and summed per role, then per I/O. Pure.
 */
import type { CpuRole, HostCpuInsight, RoleCpu, ThreadCpu } from '../model/insight.js';
import type { ProcessSource, ThreadReading } from './host-threads.js';
import { classifyThread, type RoleHints } from './thread-roles.js';

export interface ProcessReading {
  source: ProcessSource;
  threads: ThreadReading[];
}

/** x / ios, or null when there is no I/O count to divide by. */
export function perIo(x: number, ios: number | null): number | null {
  return ios !== null && ios > 0 ? x / ios : null;
}

function threadDeltas(
  before: ProcessReading | undefined,
  after: ProcessReading,
  hints: RoleHints,
): { threads: ThreadCpu[]; ended: number; clocks: Set<string> } {
  const earlier = new Map((before?.threads ?? []).map((t) => [t.tid, t]));
  const threads: ThreadCpu[] = [];
  const clocks = new Set<string>();
  for (const t of after.threads) {
    const prev = earlier.get(t.tid);
    earlier.delete(t.tid);
    if (prev && prev.clock !== t.clock) continue; // cannot subtract ticks from ns; vanishingly rare
    clocks.add(t.clock);
    const role = classifyThread(t, { ...hints, pid: after.source.pid, fixedRole: after.source.fixedRole });
    const runs = t.runs === null ? null : t.runs - (prev?.runs ?? 0);
    threads.push({
      process: after.source.label,
      pid: after.source.pid,
      tid: t.tid,
      name: t.name,
      role,
      cpuUs: Math.max(0, t.cpuNs - (prev?.cpuNs ?? 0)) / 1000,
      runs,
      seen: prev ? 'window' : 'started',
    });
  }
  return { threads, ended: earlier.size, clocks };
}

/**
 * Per-role CPU from two readings of the same process sources. Threads seen
 * only at the end started in the window: all their CPU counts. Threads seen
 * only at the start ended in the window: they are counted in `endedThreads`.
 */
export function hostCpuInsight(
  before: ProcessReading[],
  after: ProcessReading[],
  opts: { ios: number | null; windowMs: number; hints: Omit<RoleHints, 'pid' | 'fixedRole'> },
): HostCpuInsight {
  const threads: ThreadCpu[] = [];
  const clocks = new Set<string>();
  let ended = 0;
  for (const proc of after) {
    const earlier = before.find((b) => b.source.pid === proc.source.pid);
    const d = threadDeltas(earlier, proc, { ...opts.hints, pid: proc.source.pid });
    threads.push(...d.threads);
    d.clocks.forEach((c) => clocks.add(c));
    ended += d.ended;
  }
  for (const proc of before) {
    if (!after.some((a) => a.source.pid === proc.source.pid)) ended += proc.threads.length;
  }
  const byRole = new Map<CpuRole, ThreadCpu[]>();
  for (const t of threads) byRole.set(t.role, [...(byRole.get(t.role) ?? []), t]);
  const windowUs = opts.windowMs * 1000;
  const roles: RoleCpu[] = [...byRole.entries()]
    .map(([role, list]) => {
      const cpuUs = list.reduce((s, t) => s + t.cpuUs, 0);
      const runs = list.every((t) => t.runs !== null) ? list.reduce((s, t) => s + (t.runs ?? 0), 0) : null;
      return {
        role,
        threads: list.length,
        cpuUs,
        usPerIo: perIo(cpuUs, opts.ios),
        busyCores: windowUs > 0 ? cpuUs / windowUs : 0,
        runsPerIo: runs === null ? null : perIo(runs, opts.ios),
      };
    })
    .sort((a, b) => b.cpuUs - a.cpuUs);
  const totalCpuUs = roles.reduce((s, r) => s + r.cpuUs, 0);
  return {
    clock: clocks.has('stat-ticks') ? 'stat-ticks' : 'schedstat',
    processes: after.map((p) => ({ label: p.source.label, pid: p.source.pid })),
    roles,
    totalCpuUs,
    totalUsPerIo: perIo(totalCpuUs, opts.ios),
    iopsPerCoreSecond: opts.ios !== null && totalCpuUs > 0 ? opts.ios / (totalCpuUs / 1e6) : null,
    threads: threads.sort((a, b) => b.cpuUs - a.cpuUs),
    endedThreads: ended,
  };
}
