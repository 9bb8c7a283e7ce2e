/**
 * Errors the CLI turns into clean messages and exit codes instead of stack traces.
 * Anything else that escapes is a bug and is reported as such.
 */
import type { FailureKind } from './diagnostics/failures.js';

/** Bad input: each line is one `path: problem` (exit code 2). */
export class InputError extends Error {
  readonly lines: string[];
  constructor(
    lines: string[] | string,
    readonly source?: string,
  ) {
    const list = Array.isArray(lines) ? lines : [lines];
    super(list.join('\n'));
    this.name = 'InputError';
    this.lines = list;
  }
}

/** The host cannot do what was asked (missing QEMU, KVM that does not boot...). */
export class HostError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}

export type RunStep = 'boot' | 'ssh' | 'guest' | 'fio' | 'qmp' | 'daemon';

/** What a failure of each step is when the thrower knows nothing more specific. */
const STEP_FAILURE: Record<RunStep, FailureKind> = {
  boot: 'BootFailed',
  ssh: 'SshFailed',
  guest: 'GuestCommandFailed',
  fio: 'FioOutputUnusable',
  qmp: 'QmpFailed',
  daemon: 'StorageDaemonFailed',
};

/** A step of a run failed (boot, SSH, fio); carries the evidence to show and the failure's kind (for its hint). */
export class RunStepError extends Error {
  constructor(
    message: string,
    readonly step: RunStep,
    readonly details: string[] = [],
    readonly failure: FailureKind = STEP_FAILURE[step],
  ) {
    super(message);
    this.name = 'RunStepError';
  }
}

/** The kind of any error a run step threw: its own when typed, else `fallback`. */
export function failureKindOf(err: unknown, fallback: FailureKind): FailureKind {
  return err instanceof RunStepError ? err.failure : fallback;
}
