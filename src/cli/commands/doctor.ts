/**
 * `vblk-bench doctor`: the host checks (host/doctor.ts) as a table or JSON.
 * Exit 0 when the host can run (no `fail`), 3 otherwise.
 */
import type { Command } from 'commander';
import { evaluateDoctor, gatherDoctorFacts, type DoctorCheck } from '../../host/doctor.js';
import { ExitCode } from '../../model/exit-codes.js';
import { alignColumns } from '../../report/format.js';
import { reportError } from '../errors.js';

export function doctorExitCode(checks: readonly DoctorCheck[]): number {
  return checks.some((c) => c.level === 'fail') ? ExitCode.Partial : ExitCode.Success;
}

export function renderDoctor(checks: readonly DoctorCheck[]): string {
  const rows = checks.flatMap((c) => [[c.level, c.name, c.detail], ...(c.fix && c.level !== 'ok' ? [['', '', `fix: ${c.fix}`]] : [])]);
  const fails = checks.filter((c) => c.level === 'fail').length;
  const verdict = fails ? `this host cannot run vblk-bench yet: ${fails} problem(s) marked fail` : 'this host can run vblk-bench';
  return `${alignColumns(rows)}\n\n${verdict}\n`;
}

export function registerDoctorCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description('check the host: QEMU, KVM, vhost devices, qemu-storage-daemon, guest image and kernel, memory, CPU frequency policy')
    .option('--qemu <binary>', 'QEMU binary to check', 'qemu-system-x86_64')
    .option('--json', 'machine-readable output')
    .action(async (options: { qemu: string; json?: boolean }) => {
      try {
        const checks = evaluateDoctor(await gatherDoctorFacts(options.qemu));
        process.stdout.write(options.json ? `${JSON.stringify(checks, null, 2)}\n` : renderDoctor(checks));
        setExit(doctorExitCode(checks));
      } catch (err) {
        setExit(reportError(err));
      }
    });
}
