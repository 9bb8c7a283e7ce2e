/**
 * SIGINT/SIGTERM during a run: the first one aborts the run cleanly (guests
 * stopped, results marked incomplete, exit 130/143); a second one exits at
 * once — after killing every child, so nothing is orphaned either way.
 */
import { killAllChildren } from '../vm/children.js';
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
      void killAllChildren();
      process.exit(exitCodeForSignal(state.signal));
    }
    state.signal = signal;
    onFirst(signal);
    state.controller.abort(new Error(`interrupted by ${signal}`));
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
