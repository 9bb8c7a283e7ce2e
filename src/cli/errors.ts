/** Prints an error the way a user needs it and chooses the exit code. */
import { ExitCode } from '../model/exit-codes.js';
import { HostError, InputError, RunStepError } from '../model/errors.js';

export function reportError(err: unknown): number {
  if (err instanceof InputError) {
    for (const line of err.lines) process.stderr.write(`error: ${line}\n`);
    return ExitCode.BadInput;
  }
  if (err instanceof HostError) {
    process.stderr.write(`error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    return ExitCode.BadInput;
  }
  if (err instanceof RunStepError) {
    process.stderr.write(`error: ${err.step}: ${err.message}\n`);
    for (const line of err.details) process.stderr.write(`  ${line}\n`);
    return ExitCode.Partial;
  }
  process.stderr.write(`vblk-bench: internal error (a bug, please report it):\n${(err as Error)?.stack ?? String(err)}\n`);
  return ExitCode.Partial;
}
