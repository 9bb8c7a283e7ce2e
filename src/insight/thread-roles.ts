/**
 * Which role a host thread plays, from its name (`-name ...,debug-threads=on`)
 * and the thread ids QEMU reports over QMP. Pure.
 */
import type { CpuRole } from '../model/insight.js';

/** Thread names of vCPUs with debug-threads=on: `CPU 0/TCG`, `CPU 1/KVM`. */
const VCPU_THREAD_NAME = /^CPU \d+\/[A-Z]+$/;
/** In-kernel vhost workers: `vhost-<owner pid>` (kernel threads before Linux 6.4, threads of the owner since). */
export const VHOST_WORKER_NAME = /^vhost-\d+$/;
/** QEMU's own monitor iothread (QMP out-of-band); not a user iothread. */
const MONITOR_IOTHREAD_NAME = 'IO mon_iothread';

export interface RoleHints {
  /** The process id: its main thread is the main loop (another thread, call_rcu, carries the same name). */
  pid: number;
  /** vCPU thread ids from QMP query-cpus-fast; undefined when QMP could not say. */
  vcpuTids?: ReadonlySet<number>;
  /** iothread thread ids from QMP query-iothreads (user iothreads only); undefined when QMP could not say. */
  iothreadTids?: ReadonlySet<number>;
  /** Every thread of this process has this role (qemu-storage-daemon, kernel vhost threads). */
  fixedRole?: CpuRole;
}

export function classifyThread(thread: { tid: number; name: string }, hints: RoleHints): CpuRole {
  if (hints.fixedRole) return hints.fixedRole;
  const { tid, name } = thread;
  if (hints.vcpuTids ? hints.vcpuTids.has(tid) : VCPU_THREAD_NAME.test(name)) return 'vcpu';
  if (hints.iothreadTids ? hints.iothreadTids.has(tid) : name.startsWith('IO ') && name !== MONITOR_IOTHREAD_NAME)
    return 'iothread';
  if (tid === hints.pid) return 'main-loop';
  if (VHOST_WORKER_NAME.test(name)) return 'vhost';
  if (name === 'worker') return 'aio-worker';
  return 'other';
}
