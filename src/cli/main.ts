/**
 * Entry point: parses the command line with commander and maps every outcome
 * to the one exit-code table (src/model/exit-codes.ts). Errors the user can
 * fix are printed as plain lines; only a bug prints a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { ExitCode } from '../model/exit-codes.js';
import { reportCrash, reportError } from './errors.js';
import { installProcessGuards } from '../lifecycle/exit-guard.js';
import { COMMAND_LOADERS, configureProgram, overrideExits } from './commands-table.js';

/**
 * The program for `argv`: only the command it names, loaded alone (the
 * start of `list` or `history` does not load the others' stacks); every
 * command for anything else (help, a typo), so commander answers as always.
 */
async function programFor(argv: string[], setExit: (code: number) => void): Promise<Command> {
  const name = argv[2];
  const load = name !== undefined && Object.hasOwn(COMMAND_LOADERS, name) ? COMMAND_LOADERS[name] : undefined;
  if (!load) return (await import('./program.js')).buildProgram(setExit);
  const program = configureProgram(new Command('vblk-bench'));
  (await load())(program, setExit);
  return overrideExits(program);
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
  try {
    const program = await programFor(argv, (code) => {
      exitCode = code;
    });
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
