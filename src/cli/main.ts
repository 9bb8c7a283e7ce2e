/**
 * Entry point: parses the command line with commander and maps every outcome
 * to the one exit-code table (src/model/exit-codes.ts). Errors the user can
 * fix are printed as plain lines; only a bug prints a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../model/exit-codes.js';
import { reportCrash, reportError } from './errors.js';
import { installProcessGuards } from '../lifecycle/exit-guard.js';
import { registerRunCommand } from './commands/run.js';
import { registerGuestCommand } from './commands/guest.js';
import { registerReportCommand } from './commands/report.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerListCommand } from './commands/list.js';
import { registerImportCommand } from './commands/import.js';
import { registerMergeCommand } from './commands/merge.js';
import { registerHistoryCommand } from './commands/history.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerInitCommand } from './commands/init.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerCompareCommand } from './commands/compare.js';
import { registerGateCommand } from './commands/gate.js';
import { registerBaselineCommand } from './commands/baseline.js';
import { registerCalibrateCommand } from './commands/calibrate.js';
import { registerPublishCommand } from './commands/publish.js';
import { TOOL_VERSION } from '../util/version.js';

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('vblk-bench')
    .description('Which virtio block I/O path is fastest, and why: QEMU guests × fio, with evidence')
    .version(TOOL_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerRunCommand(program, setExit);
  registerGuestCommand(program, setExit);
  registerReportCommand(program, setExit);
  registerExplainCommand(program, setExit);
  registerListCommand(program, setExit);
  registerImportCommand(program, setExit);
  registerMergeCommand(program, setExit);
  registerHistoryCommand(program, setExit);
  registerSchemaCommand(program, setExit);
  registerInitCommand(program, setExit);
  registerDoctorCommand(program, setExit);
  registerCompareCommand(program, setExit);
  registerGateCommand(program, setExit);
  registerBaselineCommand(program, setExit);
  registerCalibrateCommand(program, setExit);
  registerPublishCommand(program, setExit);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/**
 * `vblk-bench report … | head -1`: the reader went away, which is not an
 * error of ours. Leave at once and quietly with 0, like a shell tool (the
 * exit guard still kills children and removes temporary files).
 */
function exitQuietlyOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(ExitCode.Success);
      throw err;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  // Whatever happens next (crash, exit), children are killed and temporary files, sockets and locks removed.
  installProcessGuards(reportCrash);
  exitQuietlyOnClosedPipes();
  let exitCode: number = ExitCode.Success;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version are not errors; every other usage problem is bad input.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        return ExitCode.Success;
      }
      return ExitCode.BadInput;
    }
    return reportError(err);
  }
}
