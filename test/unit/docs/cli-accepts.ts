/**
 * Whether the real command-line program accepts an argument list, without
 * running anything: the program is built by the CLI's own factory
 * (`buildProgram`), every command's action is replaced by one that does
 * nothing, and commander parses the arguments. Unknown commands and options,
 * missing or excess arguments, missing option values and options commander
 * itself validates are rejected exactly as a user would see them.
 */
import { Command, CommanderError } from 'commander';
import { buildProgram } from '../../../src/cli/program.js';

/** Null when the CLI accepts `vblk-bench <args>`, else commander's message. */
export async function cliRejection(args: string[]): Promise<string | null> {
  let output = '';
  const program = buildProgram(() => {});
  const quiet = (cmd: Command): void => {
    cmd.configureOutput({
      writeOut: (s) => void (output += s),
      writeErr: (s) => void (output += s),
      outputError: (s) => void (output += s),
    });
    // Leaves run the command; a command with subcommands only dispatches.
    if (cmd.commands.length === 0) cmd.action(() => {});
    cmd.commands.forEach(quiet);
  };
  quiet(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return null;
  } catch (err) {
    if (err instanceof CommanderError && err.code === 'commander.helpDisplayed' && args.includes('--help')) return null;
    if (err instanceof CommanderError) return output.trim().split('\n')[0] || err.message;
    throw err;
  }
}

/**
 * For usage lines in the guides (`vblk-bench gate --baseline <x> [--bisect]`,
 * `--format table|json`): null when the command path names a real
 * (sub)command and every option written (brackets and `=value` dropped)
 * is one of its options, else what is wrong. Arguments are not counted:
 * synopses show optional and alternative ones.
 */
export function synopsisProblem(words: string[]): string | null {
  let cmd: Command = buildProgram(() => {});
  let i = 0;
  for (; i < words.length; i++) {
    const sub = cmd.commands.find((c) => c.name() === words[i] || c.aliases().includes(words[i]!));
    if (!sub) break;
    cmd = sub;
  }
  if (cmd.commands.length > 0)
    return `"${words.slice(0, i).join(' ')}" needs a subcommand (${cmd.commands.map((c) => c.name()).join(', ')})`;
  for (const word of words.slice(i)) {
    const option = /^\[*(--?[A-Za-z][\w-]*)/.exec(word)?.[1];
    if (option === undefined || option === '--help' || option === '-h') continue;
    if (!cmd.options.some((o) => o.long === option || o.short === option))
      return `${cmd.name()} has no option ${option}`;
  }
  return null;
}
