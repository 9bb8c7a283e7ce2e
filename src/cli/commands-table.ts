/**
 * The commands by name, each loaded only when asked for: `vblk-bench list`
 * loads the list command's module and what it imports, not the guest, QEMU,
 * SSH and report stacks of the others (the CLI's start is part of every
 * command's time). program.ts registers them all, in this order, for the
 * help; a test keeps the two lists equal.
 */
import type { Command } from 'commander';
import { TOOL_VERSION } from '../util/version.js';

export type RegisterCommand = (program: Command, setExit: (code: number) => void) => void;

export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<RegisterCommand>>> = {
  run: async () => (await import('./commands/run.js')).registerRunCommand,
  guest: async () => (await import('./commands/guest.js')).registerGuestCommand,
  report: async () => (await import('./commands/report.js')).registerReportCommand,
  explain: async () => (await import('./commands/explain.js')).registerExplainCommand,
  list: async () => (await import('./commands/list.js')).registerListCommand,
  import: async () => (await import('./commands/import.js')).registerImportCommand,
  merge: async () => (await import('./commands/merge.js')).registerMergeCommand,
  history: async () => (await import('./commands/history.js')).registerHistoryCommand,
  schema: async () => (await import('./commands/schema.js')).registerSchemaCommand,
  init: async () => (await import('./commands/init.js')).registerInitCommand,
  doctor: async () => (await import('./commands/doctor.js')).registerDoctorCommand,
  compare: async () => (await import('./commands/compare.js')).registerCompareCommand,
  gate: async () => (await import('./commands/gate.js')).registerGateCommand,
  baseline: async () => (await import('./commands/baseline.js')).registerBaselineCommand,
  calibrate: async () => (await import('./commands/calibrate.js')).registerCalibrateCommand,
  publish: async () => (await import('./commands/publish.js')).registerPublishCommand,
};

/** The program's name, description, version and error handling, before any command is registered. */
export function configureProgram(program: Command): Command {
  return program
    .description('Which virtio block I/O path is fastest, and why: QEMU guests × fio, with evidence')
    .version(TOOL_VERSION)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
}

/** After registering: a subcommand's usage error is thrown like the program's. */
export function overrideExits(program: Command): Command {
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}
