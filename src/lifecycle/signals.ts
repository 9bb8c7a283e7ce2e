/**
 * SIGINT/SIGTERM during a run: the first one aborts the run cleanly (guests
 * stopped, results marked incomplete, exit 130/143); a second one exits at
 * once — after SIGKILLing every child, so nothing is orphaned either way (the
 * exit guard, src/lifecycle/exit-guard.ts, also removes temporary files and
 * releases locks on the way out).
 */
import { killAllChildren, killAllChildrenSync } from '../vm/children.js';
import { ExitCode } from '../model/exit-codes.js';

export interface InterruptState {
  controller: AbortController;
  /** The signal that interrupted the run, if any. */
  signal: NodeJS.Signals | null;
  dispose(): void;
}

export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
}

export function installInterruptHandlers(onFirst: (signal: NodeJS.Signals) => void): InterruptState {
  const state: InterruptState = { controller: new AbortController(), signal: null, dispose: () => undefined };
  const handler = (signal: NodeJS.Signals) => {
    if (state.signal) {
      killAllChildrenSync();
      process.stderr.write(`${signal} again: exiting now (children killed, results so far kept, marked incomplete)\n`);
      process.exit(exitCodeForSignal(state.signal));
    }
    state.signal = signal;
    onFirst(signal);
    state.controller.abort(new InterruptedError(signal));
    // Stop the guests now: a fio in flight ends with its QEMU, and the loop sees the abort.
    void killAllChildren();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  state.dispose = () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
  return state;
}

/** The abort reason of an interrupted run: whatever was waiting (a lock, a boot) ends with it. */
export class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}
