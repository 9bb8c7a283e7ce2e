/**
 * The last line of defence: whatever way vblk-bench ends — normal return,
 * process.exit after a second Ctrl-C, an uncaught exception or an unhandled
 * rejection — every registered child is SIGKILLed and every registered
 * cleanup (temporary files, sockets, locks) runs, synchronously.
 *
 * A SIGKILL of vblk-bench runs none of this: children then die by their
 * parent-death signal (setpriv, src/vm/process.ts) and the next start sweeps
 * what is left (run-registry.ts).
 */
import { killAllChildrenSync } from '../vm/children.js';

const cleanups = new Set<() => void>();

/** Registers a synchronous cleanup for process exit; returns a function that unregisters it. */
export function onExit(fn: () => void): () => void {
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/** Runs (and forgets) every registered cleanup, newest first; one failing does not stop the others. */
function runExitCleanups(): void {
  for (const fn of [...cleanups].reverse()) {
    cleanups.delete(fn);
    try {
      fn();
    } catch {
      // best effort: the process is ending
    }
  }
}

/** Prints the crash and returns the exit code to leave with. */
export type CrashReporter = (err: unknown, kind: string) => number;

let installed = false;

export function installProcessGuards(report: CrashReporter): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    killAllChildrenSync();
    runExitCleanups();
  });
  const crash = (kind: string) => (err: unknown) => {
    // Children first: nothing may outlive a crash, even if printing fails.
    killAllChildrenSync();
    let code = 3;
    try {
      code = report(err, kind);
    } finally {
      process.exit(code);
    }
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled promise rejection'));
}
