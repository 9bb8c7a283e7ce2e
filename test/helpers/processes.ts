/**
 * Orphan checks read the real process table (/proc), not the tool's own
 * bookkeeping: a test passes only if nothing it started is still running.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  cmdline: string;
}

export function processesMatching(needle: string): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmdline.includes(needle)) out.push({ pid: Number(name), cmdline });
    } catch {
      // The process ended while we looked: not an orphan.
    }
  }
  return out;
}

/** Waits briefly for processes to go (exit is asynchronous), then returns what is left. */
export async function leftoverProcesses(needle: string, waitMs = 5000): Promise<ProcessEntry[]> {
  const deadline = Date.now() + waitMs;
  let left = processesMatching(needle);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = processesMatching(needle);
  }
  return left;
}
