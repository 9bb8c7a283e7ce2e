/**
 * What a run (and the commands that store runs: import, merge) tells the
 * user besides failures: the accelerator it fell back to, retries, leftovers
 * of killed runs, a run that is not whole, a results directory that fills up.
 * Stored in run.json's `warnings` when they qualify the results.
 */
import type { KindTable } from './kind-text.js';

export type KvmCause = 'pvm' | 'absent' | 'permission';

export type RunDiagnostic =
  | { kind: 'TcgEmulation' }
  | { kind: 'KvmUnusable'; why: string; cause: KvmCause }
  | { kind: 'BootRetry'; bootId: string; samples: number; bootRetries: number }
  | { kind: 'RunIncomplete'; run: string; dir: string; stopReason: string | null; missing?: number }
  | { kind: 'RunPartial'; failed: number; missing: number; dir: string }
  | { kind: 'QemuStopFailed'; bootId: string; message: string }
  | { kind: 'ManifestNotUpdated'; path: string; why: string }
  | { kind: 'ResultsUnwritable'; dir: string; code: string }
  | { kind: 'SamplesRescued'; count: number; to: string; dir: string }
  | { kind: 'SamplesUnsaved'; count: number; dir: string }
  | { kind: 'ProfileFileGone'; path: string | null; dir: string }
  | { kind: 'LockWait'; pid: number; since: string }
  | { kind: 'LockTakenOver'; text: string }
  | { kind: 'LeftoverCleaned'; action: string }
  | { kind: 'Interrupted'; signal: string }
  | { kind: 'GuestKernelUnchecked'; kernel: string; initramfs: string; modules: string[] }
  | { kind: 'GuestImageBackingFile'; path: string; backingFile: string }
  | { kind: 'ImportedRun'; files: number; accel: string; accelStated: boolean }
  | { kind: 'ImportFileSkipped'; file: string }
  | { kind: 'RecordedText'; text: string }
  | { kind: 'RunPublished'; dir: string; runId: string; outcome: string }
  | { kind: 'RunNotPublished'; dir: string; why: string };

const KVM_FIX: Record<KvmCause, string> = {
  pvm: 'this /dev/kvm is kvm_pvm (PVM guests only): use a host (or nested VM) with kvm_intel or kvm_amd',
  permission: 'give this user read-write access to /dev/kvm: usermod -aG kvm $USER (then log in again), or run as root',
  absent: 'enable VT-x/AMD-V in the firmware and modprobe kvm_intel or kvm_amd; in a VM, enable nested virtualization',
};

export const RUN_TEXTS: KindTable<RunDiagnostic> = {
  TcgEmulation: {
    severity: 'warning',
    explain: () =>
      'accel tcg: QEMU emulates the CPU. These numbers measure an emulator, not virtio performance; use them to check the pipeline, never to rank I/O paths.',
    hint: () => 'measure on a host with usable KVM (`vblk-bench doctor` says what is missing; docs/no-kvm.md)',
  },
  KvmUnusable: {
    severity: 'warning',
    explain: (d) => `using TCG instead of KVM: ${d.why}. TCG numbers measure an emulator, not virtio performance`,
    hint: (d) => KVM_FIX[d.cause],
  },
  BootRetry: {
    severity: 'warning',
    explain: (d) =>
      `boot ${d.bootId}: retrying ${d.samples} sample(s) with a fresh guest (boot_retries: ${d.bootRetries})`,
    hint: () =>
      "the retry is recorded in the samples' bootRetries; if boots keep failing, see serial.log and qemu.stderr.log in boots/<id>/",
  },
  RunIncomplete: {
    severity: 'warning',
    explain: (d) =>
      d.missing === undefined
        ? `${d.run} is incomplete${d.stopReason ? `: ${d.stopReason}` : ''}`
        : `${d.missing} sample(s) not measured${d.stopReason ? ` (${d.stopReason})` : ''}`,
    hint: (d) => `after fixing what stopped it (if anything), complete them with: vblk-bench run --resume ${d.dir}`,
  },
  RunPartial: {
    severity: 'error',
    explain: (d) => `${d.failed} sample(s) failed or invalid, ${d.missing} missing; see ${d.dir}`,
    hint: (d) =>
      `each failure's hint is above; \`run --resume ${d.dir}\` measures missing samples, a new run measures failed ones again`,
  },
  QemuStopFailed: {
    severity: 'warning',
    explain: (d) => `boot ${d.bootId}: stopping QEMU: ${d.message}`,
    hint: () =>
      "a QEMU of this run may still be running: the next run's cleanup ends it, or end it by hand (its pid is in the boot's directory)",
  },
  ManifestNotUpdated: {
    severity: 'warning',
    explain: (d) => `cannot update ${d.path} (${d.why}); it still says incomplete`,
    hint: () =>
      'every stored sample is kept; once the directory is writable, `vblk-bench run --resume` on it rewrites run.json',
  },
  ResultsUnwritable: {
    severity: 'error',
    explain: (d) =>
      `results directory ${d.dir} cannot be written (${d.code}): the run stopped cleanly; every sample stored before is kept`,
    hint: (d) => `free some space, then complete the run with: vblk-bench run --resume ${d.dir}`,
  },
  SamplesRescued: {
    severity: 'error',
    explain: (d) => `${d.count} measured sample(s) that could not be stored were saved to ${d.to}`,
    hint: (d) =>
      `free some space, copy them in (cp -r ${d.to}/. ${d.dir}/), then complete the run with: vblk-bench run --resume ${d.dir}`,
  },
  SamplesUnsaved: {
    severity: 'error',
    explain: (d) => `${d.count} measured sample(s) could not be stored anywhere; here they are, one JSON line each:`,
    hint: (d) =>
      `free some space, put them back as samples/<name>.json, then complete the run with: vblk-bench run --resume ${d.dir}`,
  },
  ProfileFileGone: {
    severity: 'warning',
    explain: (d) =>
      `--resume: profile file ${d.path ?? '(none recorded)'} is gone; resuming with the resolved profile stored in ${d.dir}`,
    hint: () =>
      'nothing to do if the profile did not change; give the profile file to have it checked against the stored one',
  },
  LockWait: {
    severity: 'info',
    explain: (d) => `waiting for the lock held by pid ${d.pid} (since ${d.since})`,
    hint: () => 'one run at a time per host; without --wait-lock a second run exits 4 at once',
  },
  LockTakenOver: {
    severity: 'warning',
    explain: (d) => d.text,
    hint: () => 'an earlier run died without releasing its lock (SIGKILL, a crash, a reboot); nothing to do',
  },
  LeftoverCleaned: {
    severity: 'warning',
    explain: (d) => `cleanup: ${d.action}`,
    hint: () => 'an earlier run was killed before it could clean up (SIGKILL, a crash, a reboot); nothing to do',
  },
  Interrupted: {
    severity: 'warning',
    explain: (d) => `${d.signal}: stopping guests, keeping what was measured (again to exit at once)`,
    hint: () => 'the cell in flight is not stored; `vblk-bench run --resume <results dir>` measures what is missing',
  },
  GuestKernelUnchecked: {
    severity: 'warning',
    explain: (d) =>
      `${d.kernel} is not ${d.initramfs}, whose modules the built-in initramfs carries, and it does not embed its config (CONFIG_IKCONFIG): ` +
      `${d.modules.join(', ')} must be built in; checked when the guest boots`,
    hint: () =>
      'build the kernel with CONFIG_IKCONFIG=y (or use the built-in kernel) to have it checked before anything boots',
  },
  GuestImageBackingFile: {
    severity: 'info',
    explain: (d) =>
      `guest image ${d.path} has a backing file (${d.backingFile}); it is opened read-only through the overlay`,
    hint: () => 'nothing to do: the backing file must stay where it is while runs use the image',
  },
  ImportedRun: {
    severity: 'warning',
    explain: (d) =>
      `imported from ${d.files} fio JSON file(s): accel ${d.accel} ${d.accelStated ? 'as stated' : 'assumed (fio does not record it; set --accel)'}; no boot evidence or read-back`,
    hint: (d) =>
      d.accelStated
        ? 'nothing says how the imported numbers were measured beyond fio itself: compare them only with runs measured the same way'
        : 'pass --accel kvm or --accel tcg (or accel: in the mapping) to record what the measurements ran under',
  },
  ImportFileSkipped: {
    severity: 'error',
    explain: (d) => `not imported: ${d.file}`,
    hint: () => 'fix or remove that file and import again; the other files are imported',
  },
  RecordedText: {
    severity: 'warning',
    explain: (d) => d.text,
    hint: () =>
      'recorded as text by an older vblk-bench, so no hint is stored with it; docs/diagnostics.md lists what each warning means',
  },
  RunPublished: {
    severity: 'info',
    explain: (d) => `${d.dir}: published to the database as run ${d.runId} (${d.outcome})`,
    hint: () => 'read it back with `history --db`, `list --db`, `compare --db` or `gate --db --baseline-run <id>`',
  },
  RunNotPublished: {
    severity: 'warning',
    explain: (d) =>
      `${d.dir}: not published to the database (the run is on disk): ${d.why}; publish it later with \`vblk-bench publish ${d.dir}\``,
    hint: () => 'check VBLK_BENCH_DB (or --db-file) and that the database is up; docs/sharing-results.md',
  },
};
