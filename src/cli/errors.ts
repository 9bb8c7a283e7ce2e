/** Prints an error the way a user needs it and chooses the exit code. */
import { ExitCode } from '../model/exit-codes.js';
import { HostError, InputError, RunStepError } from '../model/errors.js';
import { LockHeldError } from '../lifecycle/lock.js';
import { LOCK_DIR_ENV } from '../lifecycle/lock-dir.js';

export function reportError(err: unknown): number {
  if (err instanceof InputError) {
    for (const line of err.lines) process.stderr.write(`error: ${line}\n`);
    return ExitCode.BadInput;
  }
  if (err instanceof LockHeldError) {
    process.stderr.write(`error: ${err.message}\n`);
    process.stderr.write(
      `hint: wait for it with --wait-lock [seconds]; if that process is not vblk-bench any more, remove ${err.lockPath} (locks of dead processes are taken over automatically; ${LOCK_DIR_ENV} moves the host lock)\n`,
    );
    return ExitCode.Locked;
  }
  if (err instanceof HostError) {
    process.stderr.write(`error: ${err.message}\n`);
    if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
    return ExitCode.BadInput;
  }
  if (err instanceof RunStepError) {
    process.stderr.write(`error: ${err.step}: ${err.message}\n`);
    for (const line of err.details) process.stderr.write(`  ${line}\n`);
    const hint = failureHint(err.message);
    if (hint) process.stderr.write(`hint: ${hint}\n`);
    return ExitCode.Partial;
  }
  return reportCrash(err, 'internal error');
}

/** A bug: the only place a stack trace is printed. */
export function reportCrash(err: unknown, kind: string): number {
  process.stderr.write(`vblk-bench: ${kind} (a bug, please report it):\n${(err as Error)?.stack ?? String(err)}\n`);
  return ExitCode.Partial;
}

/** What to do about a failure, from its one-line reason (sample reasons and run errors alike). */
const HINTS: { pattern: RegExp; hint: string }[] = [
  { pattern: /fio not found in the guest/, hint: 'the guest has no fio on PATH; the built-in image ships a static one: rebuild it with `vblk-bench guest build --force`' },
  {
    pattern: /^fio output:/,
    hint: "fio printed something that is not its complete JSON report (a wrapper, a crash, a truncated write); the output is kept in the sample's raw file (unparsedStdout)",
  },
  { pattern: /authentication refused/, hint: "the guest does not accept the image's client key (cache edited or mixed up?): rebuild it with `vblk-bench guest build --force`" },
  { pattern: /host key mismatch/, hint: 'the guest presents another host key than the one recorded at image build: rebuild it with `vblk-bench guest build --force`' },
  { pattern: /^boot failed|ready marker|QEMU exited/, hint: "see serial.log and qemu.stderr.log in the boot's directory (boots/<id>/); raise guest.boot_timeout or boot_retries if the host is just slow" },
  { pattern: /lost|SSH connection/, hint: "the guest or its QEMU died during the measurement: see qemu.stderr.log in the boot's directory; `run --resume` does not redo failed samples, a new run does" },
];

export function failureHint(reason: string): string | undefined {
  return HINTS.find((h) => h.pattern.test(reason))?.hint;
}
