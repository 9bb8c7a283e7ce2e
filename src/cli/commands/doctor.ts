/**
 * `vblk-bench doctor`: the host checks (host/doctor.ts) through the exporter
 * registry. Exit 0 when the host can run (no `error`), 3 otherwise.
 */
import type { Command } from 'commander';
import { evaluateDoctor, gatherDoctorFacts, type DoctorCheck } from '../../host/doctor.js';
import { ExitCode } from '../../model/exit-codes.js';
import type { DoctorReport } from '../../report/doctor-report.js';
import type { Exporter } from '../../report/export/exporter.js';
import { exporterFor } from '../../report/export/registry.js';
import { reportError } from '../errors.js';
import { formatOption } from '../format-option.js';

export function doctorExitCode(checks: readonly DoctorCheck[]): number {
  return checks.some((c) => c.level === 'error') ? ExitCode.Partial : ExitCode.Success;
}

export function registerDoctorCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description(
      'check the host: QEMU, KVM, vhost devices, qemu-storage-daemon, guest image and kernel, memory, CPU frequency policy',
    )
    .option('--qemu <binary>', 'QEMU binary to check', 'qemu-system-x86_64')
    .addOption(formatOption('doctor'))
    .option('--json', 'the same as --format json')
    .action(async (options: { qemu: string; json?: boolean; format: Exporter<DoctorReport> }) => {
      try {
        const checks = evaluateDoctor(await gatherDoctorFacts(options.qemu));
        const format = options.json ? exporterFor('doctor', 'json') : options.format;
        process.stdout.write(format.render({ checks }, { color: process.stdout.isTTY }));
        setExit(doctorExitCode(checks));
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
