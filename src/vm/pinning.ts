/**
 * Pinning QEMU's vCPU threads, its iothread and qemu-storage-daemon to host
 * CPUs (`pin:` in the profile), and reading the placement back.
 *
 * Thread ids come from QMP (`query-cpus-fast`, `query-iothreads`), the
 * daemon's pid from the process we started. Affinity is set with util-linux
 * `taskset -p -c LIST TID` (argument arrays, no shell; `-a` for every thread
 * of the daemon) and read back from /proc/<pid>/task/<tid>/status
 * (`Cpus_allowed_list`), so what is recorded is what the kernel holds.
 * Threads the daemon or QEMU create after pinning inherit the affinity of
 * the thread that creates them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { HostError, RunStepError } from '../model/errors.js';
import { formatCpuList, parseCpuList, type PinSpec } from '../profile/pin.js';
import { findExecutable } from './process.js';
import type { ThreadSummary } from './readback.js';

export interface PinAction {
  /** `vcpu0`, `iothread`, `storage_daemon`: recorded as `pin.<role>` in `observed`. */
  role: string;
  /** The process the thread belongs to. */
  pid: number;
  /** The thread to pin; equal to pid with `allTasks`. */
  tid: number;
  cpus: number[];
  /** Every thread of the process (`taskset -a`): the daemon. */
  allTasks: boolean;
}

/** The value recorded for a `pin:` entry that has nothing to pin in this boot (no iothread, no daemon). */
const PIN_NOT_APPLICABLE = 'n/a';

/**
 * What to pin in one boot (pure). vCPU i goes to `pin.vcpus[i mod length]`;
 * entries without a thread to pin in this boot come back in `notApplicable`.
 */
export function pinActions(
  pin: PinSpec,
  targets: { qemuPid: number; threads: ThreadSummary; hostPids: Record<string, number> },
): { actions: PinAction[]; notApplicable: string[] } {
  const actions: PinAction[] = [];
  const notApplicable: string[] = [];
  const { qemuPid, threads, hostPids } = targets;
  const vcpuCpus = pin.vcpus;
  if (vcpuCpus) {
    for (const v of threads.vcpus) {
      actions.push({
        role: `vcpu${v.cpuIndex}`,
        pid: qemuPid,
        tid: v.threadId,
        cpus: [vcpuCpus[v.cpuIndex % vcpuCpus.length]!],
        allTasks: false,
      });
    }
  }
  if (pin.iothread) {
    if (threads.iothreads.length === 0) notApplicable.push('iothread');
    for (const t of threads.iothreads) {
      const role = threads.iothreads.length === 1 ? 'iothread' : `iothread.${t.id}`;
      actions.push({ role, pid: qemuPid, tid: t.threadId, cpus: pin.iothread, allTasks: false });
    }
  }
  if (pin.storage_daemon) {
    const pid = hostPids.storage_daemon;
    if (pid === undefined) notApplicable.push('storage_daemon');
    else actions.push({ role: 'storage_daemon', pid, tid: pid, cpus: pin.storage_daemon, allTasks: true });
  }
  return { actions, notApplicable };
}

/** `taskset` arguments for one action (pure): `[-a] -p -c LIST ID`. */
export function tasksetArgs(action: Pick<PinAction, 'cpus' | 'tid' | 'allTasks'>): string[] {
  return [...(action.allTasks ? ['-a'] : []), '-p', '-c', formatCpuList(action.cpus), String(action.tid)];
}

/** `Cpus_allowed_list:\t0-1` from a /proc/<pid>/status text, as a CPU list. Pure; null when absent. */
export function cpusAllowedFromStatus(status: string): number[] | null {
  const m = /^Cpus_allowed_list:\s*(\S*)\s*$/m.exec(status);
  return m ? parseCpuList(m[1] ?? '') : null;
}

async function affinityOf(pid: number, tid: number): Promise<string> {
  const status = await readFile(`/proc/${pid}/task/${tid}/status`, 'utf8');
  const cpus = cpusAllowedFromStatus(status);
  if (cpus === null) throw new RunStepError(`/proc/${pid}/task/${tid}/status has no Cpus_allowed_list`, 'boot');
  return formatCpuList(cpus);
}

/**
 * The affinity the kernel holds for the action's thread (or, with allTasks,
 * for every thread of the process: one list when they agree, else
 * `tid:list` pairs so the disagreement is visible).
 */
export async function readAffinity(action: Pick<PinAction, 'pid' | 'tid' | 'allTasks'>): Promise<string> {
  if (!action.allTasks) return affinityOf(action.pid, action.tid);
  const tids = (await readdir(`/proc/${action.pid}/task`)).map(Number).sort((a, b) => a - b);
  const lists = await Promise.all(
    tids.map((t) =>
      affinityOf(action.pid, t).then(
        (l) => [t, l] as const,
        () => null,
      ),
    ),
  );
  const present = lists.filter((x): x is readonly [number, string] => x !== null);
  const distinct = new Set(present.map(([, l]) => l));
  return distinct.size === 1 ? [...distinct][0]! : present.map(([t, l]) => `${t}:${l}`).join(' ');
}

/**
 * Pins every action with taskset, reads the affinity back and returns it as
 * `observed` entries (`pin.vcpu0: "1"`, `pin.iothread: "1"`, ...). Throws
 * when taskset fails or the kernel holds another placement than asked.
 */
export async function applyPinActions(
  actions: PinAction[],
  notApplicable: string[] = [],
): Promise<Record<string, string>> {
  const observed: Record<string, string> = {};
  for (const role of notApplicable) observed[`pin.${role}`] = PIN_NOT_APPLICABLE;
  if (actions.length === 0) return observed;
  const taskset = await findExecutable('taskset');
  if (!taskset)
    throw new HostError(
      'pin: taskset (util-linux) is not installed',
      'install util-linux, or remove pin: from the profile',
    );
  for (const action of actions) {
    const args = tasksetArgs(action);
    const r = await execa(taskset, args, { reject: false, timeout: 10_000, stdin: 'ignore' });
    if (r.exitCode !== 0) {
      throw new RunStepError(
        `pin ${action.role}: taskset ${args.join(' ')} failed: ${(String(r.stderr).trim() || r.shortMessage) ?? ''}`,
        'boot',
      );
    }
    const held = await readAffinity(action);
    const wanted = formatCpuList(action.cpus);
    if (held !== wanted)
      throw new RunStepError(
        `pin ${action.role}: thread ${action.tid} runs on CPUs ${held} after pinning to ${wanted}`,
        'boot',
      );
    observed[`pin.${action.role}`] = held;
  }
  return observed;
}
