/** Prints an error the way a user needs it and chooses the exit code. */
import { ExitCode } from '../model/exit-codes.js';
import { HostError, InputError, RunStepError } from '../model/errors.js';
import { hint } from '../model/diagnostic.js';
import { LockHeldError } from '../lifecycle/lock.js';
import { LOCK_DIR_ENV } from '../lifecycle/lock-dir.js';

/**
 * The lines a user sees for an error the tool expects, and its exit code;
 * null for anything else (a bug). The hint comes from the error's type and
 * kind, never from its message.
 */
export function describeError(err: unknown): { lines: string[]; exitCode: number } | null {
  if (err instanceof InputError)
    return { lines: err.lines.map((line) => `error: ${line}`), exitCode: ExitCode.BadInput };
  if (err instanceof LockHeldError) {
    const what = `wait for it with --wait-lock [seconds]; if that process is not vblk-bench any more, remove ${err.lockPath} (locks of dead processes are taken over automatically; ${LOCK_DIR_ENV} moves the host lock)`;
    return { lines: [`error: ${err.message}`, `hint: ${what}`], exitCode: ExitCode.Locked };
  }
  if (err instanceof HostError)
    return {
      lines: [`error: ${err.message}`, ...(err.hint ? [`hint: ${err.hint}`] : [])],
      exitCode: ExitCode.BadInput,
    };
  if (err instanceof RunStepError) {
    return {
      lines: [
        `error: ${err.step}: ${err.message}`,
        ...err.details.map((line) => `  ${line}`),
        `hint: ${hint({ kind: err.failure, reason: err.message })}`,
      ],
      exitCode: ExitCode.Partial,
    };
  }
  return null;
}

export function reportError(err: unknown): number {
  const described = describeError(err);
  if (!described) return reportCrash(err, 'internal error');
  for (const line of described.lines) process.stderr.write(`${line}\n`);
  return described.exitCode;
}

/** A bug: the only place a stack trace is printed. */
export function reportCrash(err: unknown, kind: string): number {
  process.stderr.write(`vblk-bench: ${kind} (a bug, please report it):\n${(err as Error)?.stack ?? String(err)}\n`);
  return ExitCode.Partial;
}
