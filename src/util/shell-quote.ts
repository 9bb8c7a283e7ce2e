/**
 * POSIX shell quoting: the one way an argv becomes a command line.
 *
 * An SSH `exec` request carries one string that the remote login shell parses
 * (`$SHELL -c STRING`), so every command this tool sends to a guest is built
 * from an argv and quoted here; values are validated upstream with allow-lists
 * as well, so quoting is the second wall, not the only one. `--dry-run` prints
 * host commands (QEMU, qemu-storage-daemon, fio) the same way, so what it
 * shows can be pasted into a shell.
 */

/** Words that never need quoting: a conservative set with no shell meaning anywhere in a word. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Quote one argument so a POSIX shell (dash, bash, busybox ash) reads it back
 * as exactly one word with exactly these bytes.
 *
 * Strategy: wrap in single quotes (inside them nothing is special) and write a
 * literal `'` as `'\''` (close, escaped quote, reopen). Safe words are left bare
 * so logs stay readable. NUL cannot be passed in an argv at all, so it is refused.
 */
export function quoteArg(s: string): string {
  if (s.includes('\0')) {
    throw new TypeError('quoteArg: argument contains a NUL byte, which no command line can carry');
  }
  if (s === '') return "''";
  // `~`, `#`, `*`, `?`, `[`, `{`, `$`, quotes and whitespace are never in SAFE_WORD.
  if (SAFE_WORD.test(s)) return s;
  return singleQuote(s);
}

function singleQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Join an argv into one command line for `sh -c`. An empty argv is a programming error. */
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('commandLine: empty argv');
  return argv
    .map((arg, i) =>
      // A bare `NAME=value` first word would be read as a variable assignment, not a command.
      i === 0 && arg.includes('=') && !arg.includes('\0') ? singleQuote(arg) : quoteArg(arg),
    )
    .join(' ');
}
