/**
 * Reads the CPU time of every thread of a host process from /proc: schedstat
 * (ns) when the kernel has it, utime+stime (10 ms ticks) otherwise. Parsing
 * is in proc-parse.ts.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { CpuRole } from '../model/insight.js';
import { parseStatusField, parseTaskStat, threadReadingOf, type ThreadReading } from './proc-parse.js';
import { VHOST_WORKER_NAME } from './thread-roles.js';

export type { ThreadReading } from './proc-parse.js';

/** A host process whose threads count, with how to label them. */
export interface ProcessSource {
  /** Shown in results: `qemu`, `qemu-storage-daemon`, `vhost-1234 (kernel)`. */
  label: string;
  pid: number;
  /** Every thread of the process has this role; otherwise roles come from thread names and QMP ids. */
  fixedRole?: CpuRole;
}

async function readThread(pid: number, tid: number): Promise<ThreadReading | null> {
  const dir = `/proc/${pid}/task/${tid}`;
  let statText: string;
  try {
    statText = await readFile(`${dir}/stat`, 'utf8');
  } catch {
    return null; // the thread ended meanwhile
  }
  return threadReadingOf(statText, await readFile(`${dir}/schedstat`, 'utf8').catch(() => null));
}

/** Every thread of `pid` with its CPU time so far. Throws if the process is gone. */
export async function readProcessThreads(pid: number): Promise<ThreadReading[]> {
  const tids = (await readdir(`/proc/${pid}/task`)).map(Number).filter(Number.isInteger);
  const readings = await Promise.all(tids.map((tid) => readThread(pid, tid)));
  return readings.filter((r): r is ThreadReading => r !== null).sort((a, b) => a.tid - b.tid);
}

/** `Cpus_allowed_list` of one thread (its CPU affinity), or null if it is gone. */
export async function readThreadAffinity(pid: number, tid: number): Promise<string | null> {
  try {
    return parseStatusField(await readFile(`/proc/${pid}/task/${tid}/status`, 'utf8'), 'Cpus_allowed_list') ?? null;
  } catch {
    return null;
  }
}

/**
 * In-kernel vhost workers of `ownerPid` that are separate kernel threads
 * (Linux < 6.4: children of kthreadd named `vhost-<owner pid>`). Since 6.4
 * they are threads of the owner process and show up among its own threads.
 */
export async function findKernelVhostWorkers(ownerPid: number): Promise<ProcessSource[]> {
  const wanted = `vhost-${ownerPid}`;
  const found: ProcessSource[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseTaskStat(await readFile(`/proc/${entry}/stat`, 'utf8'));
      if (stat.ppid === 2 && stat.name === wanted && VHOST_WORKER_NAME.test(stat.name)) {
        found.push({ label: `${wanted} (kernel)`, pid: stat.tid, fixedRole: 'vhost' });
      }
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}
