/**
 * Pure parsers of host /proc files used for CPU accounting. No I/O here:
 * host-threads.ts reads the files, these turn their text into numbers.
 */

/**
 * USER_HZ: the unit of utime/stime in /proc/<pid>/stat. The kernel reports
 * these in clock_t of USER_HZ = 100 on every architecture Linux runs QEMU on
 * (x86, arm64, ppc64, s390x, riscv), whatever CONFIG_HZ is.
 */
export const USER_HZ = 100;
export const NS_PER_TICK = 1e9 / USER_HZ;

export interface TaskStat {
  tid: number;
  /** comm, the thread name (may contain spaces and parentheses). */
  name: string;
  state: string;
  utimeTicks: number;
  stimeTicks: number;
  ppid: number;
}

/**
 * One /proc/<pid>/task/<tid>/stat line. The name sits in parentheses and may
 * itself contain spaces and `)` (`CPU 0/TCG`, `IO iothread0`), so the line is
 * split at the LAST `)`: fields 3.. follow it, space-separated.
 */
export function parseTaskStat(line: string): TaskStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 1 || close < open) throw new Error(`not a /proc stat line: ${JSON.stringify(line.slice(0, 80))}`);
  const tid = Number(line.slice(0, open).trim());
  // After ") ": field 3 (state) is rest[0], so field N is rest[N - 3].
  const rest = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => {
    const v = Number(rest[n - 3]);
    if (!Number.isFinite(v)) throw new Error(`/proc stat line of ${tid}: field ${n} is not a number`);
    return v;
  };
  if (!Number.isInteger(tid) || rest.length < 13)
    throw new Error(`not a /proc stat line: ${JSON.stringify(line.slice(0, 80))}`);
  return {
    tid,
    name: line.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: field(4),
    utimeTicks: field(14),
    stimeTicks: field(15),
  };
}

export interface Schedstat {
  /** Time spent on a CPU, ns (sum_exec_runtime). */
  runNs: number;
  /** Time spent runnable but waiting for a CPU, ns (0 unless schedstats are enabled). */
  waitNs: number;
  /** Times the task was scheduled in (pcount). */
  timeslices: number;
}

/** /proc/<pid>/task/<tid>/schedstat: `run_ns wait_ns timeslices`. */
export function parseSchedstat(text: string): Schedstat {
  const parts = text.trim().split(/\s+/).map(Number);
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new Error(`not a schedstat line: ${JSON.stringify(text.trim().slice(0, 80))}`);
  }
  const [runNs, waitNs, timeslices] = parts as [number, number, number];
  return { runNs, waitNs, timeslices };
}

/** One `Key:\tvalue` field of /proc/<pid>/status (e.g. `Cpus_allowed_list`). */
export function parseStatusField(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon) === key) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** One thread's CPU time so far, from its stat and (when present) schedstat files. */
export interface ThreadReading {
  tid: number;
  name: string;
  cpuNs: number;
  /** Times scheduled in (schedstat); null with the tick fallback. */
  runs: number | null;
  clock: 'schedstat' | 'stat-ticks';
}

/**
 * A thread's reading from the text of its stat file and of its schedstat
 * file (null when unreadable: no CONFIG_SCHED_INFO). schedstat is preferred:
 * nanoseconds instead of 10 ms ticks.
 */
export function threadReadingOf(statText: string, schedstatText: string | null): ThreadReading {
  const stat = parseTaskStat(statText);
  if (schedstatText !== null) {
    try {
      const sched = parseSchedstat(schedstatText);
      return { tid: stat.tid, name: stat.name, cpuNs: sched.runNs, runs: sched.timeslices, clock: 'schedstat' };
    } catch {
      /* malformed: fall back to ticks */
    }
  }
  return {
    tid: stat.tid,
    name: stat.name,
    cpuNs: (stat.utimeTicks + stat.stimeTicks) * NS_PER_TICK,
    runs: null,
    clock: 'stat-ticks',
  };
}
