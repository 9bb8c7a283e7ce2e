/**
 * Why a sample is not `ok`, or why a run step broke: one kind per cause, so
 * the hint comes from the kind and never from parsing the message. A sample
 * stores its kind beside its one-line reason (`failureKind`); a thrown
 * RunStepError carries it (src/model/errors.ts); a retried boot records it.
 */
import type { KindTable } from './kind-text.js';

export const FAILURE_KINDS = [
  'BootFailed',
  'GuestLost',
  'SshAuthRefused',
  'HostKeyMismatch',
  'SshFailed',
  'QmpFailed',
  'StorageDaemonFailed',
  'GuestCommandFailed',
  'GuestCommandTimeout',
  'SchedulerUnavailable',
  'FioNotFound',
  'FioFailed',
  'FioOutputUnusable',
  'ConfigMismatch',
  'ImpossibleValue',
  'CellUnsupported',
  'UnclassifiedFailure',
] as const;

export type FailureKind = (typeof FAILURE_KINDS)[number];

/**
 * A failure with its recorded one-line reason (the sample's `reason`, the
 * error's first line); `count` when it stands for several samples (or cells)
 * that share the reason.
 */
export type FailureDiagnostic = { [K in FailureKind]: { kind: K; reason: string; count?: number } }[FailureKind];

const BOOT_LOGS = "serial.log and qemu.stderr.log in the boot's directory (boots/<id>/)";
const REBUILD = 'rebuild it with `vblk-bench guest build --force`';

/** `explain` is the recorded reason itself (it already names the cause with its numbers), after the count. */
const failure = (hint: string) => ({
  severity: 'error' as const,
  explain: (d: FailureDiagnostic) => (d.count === undefined ? d.reason : `${d.count} sample(s) ${d.reason}`),
  hint: () => hint,
});

export const FAILURE_TEXTS: KindTable<FailureDiagnostic> = {
  BootFailed: failure(`see ${BOOT_LOGS}; raise guest.boot_timeout or boot_retries if the host is just slow`),
  GuestLost: failure(
    "the guest or its QEMU died during the measurement: see qemu.stderr.log in the boot's directory; `run --resume` does not redo failed samples, a new run does",
  ),
  SshAuthRefused: failure(`the guest does not accept the image's client key (cache edited or mixed up?): ${REBUILD}`),
  HostKeyMismatch: failure(`the guest presents another host key than the one recorded at image build: ${REBUILD}`),
  SshFailed: failure(`the guest's SSH server did not answer as expected: see ${BOOT_LOGS}`),
  QmpFailed: failure(
    "see qemu.stderr.log in the boot's directory (boots/<id>/): QEMU's monitor did not answer as expected (QEMU exited, or another client holds the socket)",
  ),
  StorageDaemonFailed: failure(
    "qemu-storage-daemon failed: its log in the boot's directory (boots/<id>/) has the last lines; `vblk-bench doctor` checks that it is installed",
  ),
  GuestCommandFailed: failure(
    'a command in the guest failed (the reason names it): the guest kernel or image may lack what the cell asks for (docs/guest.md)',
  ),
  GuestCommandTimeout: failure(
    `a guest command did not finish in its time limit and was killed: the guest may be hung or the host overloaded (see ${BOOT_LOGS}); a new run measures the cell again`,
  ),
  SchedulerUnavailable: failure(
    'the guest kernel does not offer this I/O scheduler: use a guest kernel that has it, or leave it out of matrix.scheduler',
  ),
  FioNotFound: failure(
    `the guest has no fio on PATH that can start; the built-in image ships a static one: ${REBUILD}; an own image needs fio installed with its libraries (e.g. apt-get install fio; docs/guest.md)`,
  ),
  FioFailed: failure(
    'fio refused the job or stopped early (its last line is the reason): check the fio: section of the profile; `run --dry-run` prints the exact fio command line',
  ),
  FioOutputUnusable: failure(
    "fio printed something that is not its complete JSON report (a wrapper, a crash, a truncated write); the output is kept in the sample's raw file (unparsedStdout)",
  ),
  ConfigMismatch: failure(
    "the running system did not apply the planned configuration (the reason names the item): see the sample's insight.config checks and docs/insight.md",
  ),
  ImpossibleValue: failure(
    "fio reported a value no device produces (negative, not finite, or above its unit's ceiling: docs/operations.md); the sample is stored invalid without it and its raw fio JSON keeps what fio printed: look there, and measure the cell again",
  ),
  CellUnsupported: {
    severity: 'warning',
    explain: (d) =>
      d.count === undefined ? d.reason : `${d.count} cell(s) unsupported on this host, recorded as such: ${d.reason}`,
    hint: () =>
      'make the host support it (see the reason), or leave the cell out of the matrix; a backend with `required: true` refuses to run instead',
  },
  UnclassifiedFailure: failure(
    'the reason says what failed; the boot directory (boots/<id>/) keeps the logs (samples stored before failure kinds existed have this kind)',
  ),
};
