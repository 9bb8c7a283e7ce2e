/**
 * What /proc says about a process: whether it is alive, its start time (to
 * tell a process from a later one that reuses its pid), its command line and
 * environment (to check that a recorded process really is ours before acting
 * on it). Linux only, like the rest of vblk-bench.
 */
import { readFileSync } from 'node:fs';

/** A process named by pid and start time: survives pid reuse. */
export interface ProcessIdentity {
  pid: number;
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
  startTicks: string;
}

interface ProcStat {
  state: string;
  startTicks: string;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Field 2 (comm) is in parentheses and may itself contain spaces or ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const startTicks = rest[19];
  return state && startTicks ? { state, startTicks } : null;
}

/** Start time of a live (non-zombie) process; null when it is gone. */
export function processStartTicks(pid: number): string | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const stat = readStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return null;
  return stat.startTicks;
}

/** This process, as others will see it. */
export function selfIdentity(): ProcessIdentity {
  const startTicks = processStartTicks(process.pid);
  if (!startTicks) throw new Error('cannot read /proc/self/stat');
  return { pid: process.pid, startTicks };
}

/** True while the process that `id` names is running (same pid and same start time). */
export function isAlive(id: ProcessIdentity): boolean {
  return processStartTicks(id.pid) === id.startTicks;
}

function readNulSeparated(path: string): string[] | null {
  try {
    return readFileSync(path, 'utf8')
      .split('\0')
      .filter((s) => s !== '');
  } catch {
    return null;
  }
}

export function processCmdline(pid: number): string[] | null {
  return readNulSeparated(`/proc/${pid}/cmdline`);
}

/** The environment the process was started with (root can read any). */
export function processEnviron(pid: number): string[] | null {
  return readNulSeparated(`/proc/${pid}/environ`);
}

/** Waits until the process is gone (or a zombie); false on timeout. */
export async function waitGone(id: ProcessIdentity, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(id)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
