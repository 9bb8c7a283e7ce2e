/**
 * Errors the CLI turns into clean messages and exit codes instead of stack traces.
 * Anything else that escapes is a bug and is reported as such.
 */

/** Bad input: each line is one `path: problem` (exit code 2). */
export class InputError extends Error {
  readonly lines: string[];
  constructor(lines: string[] | string, readonly source?: string) {
    const list = Array.isArray(lines) ? lines : [lines];
    super(list.join('\n'));
    this.name = 'InputError';
    this.lines = list;
  }
}

/** The host cannot do what was asked (missing QEMU, KVM that does not boot...). */
export class HostError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'HostError';
  }
}

/** A step of a run failed (boot, SSH, fio); carries the evidence to show. */
export class RunStepError extends Error {
  constructor(
    message: string,
    readonly step: 'boot' | 'ssh' | 'guest' | 'fio' | 'qmp' | 'daemon',
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'RunStepError';
  }
}
