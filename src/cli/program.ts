/**
 * The whole program: every command registered, in the order `--help` lists
 * them. Loads every command's module (the guest, QEMU, report and database
 * stacks): main.ts builds it only for the help and for what it cannot name;
 * a command it can name is loaded alone (commands-table.ts).
 */
import { Command } from 'commander';
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
import { configureProgram, overrideExits } from './commands-table.js';

export function buildProgram(setExit: (code: number) => void): Command {
  const program = configureProgram(new Command('vblk-bench'));
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
  return overrideExits(program);
}
