/**
 * Progress and diagnostics go to stderr (stdout carries the table, so it can
 * be piped). Without a TTY (cron, CI) every line is timestamped and plain, and
 * no escape code is ever written. On a TTY a status line (see progress.ts)
 * can sit under the log lines: each log line clears it and redraws it below.
 */
import { diagnosticLines, severityOf } from '../model/diagnostic.js';
import type { Logger } from '../model/logger.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** The engine's Logger on a terminal, with the live status line. */
export interface TerminalLogger extends Logger {
  /** Shows (or with null removes) the live status line; a no-op without a TTY or with --quiet. */
  status(line: string | null): void;
  /** Whether status lines are shown (a TTY and not --quiet). */
  readonly live: boolean;
  /** Width of the terminal (80 when unknown). */
  readonly columns: number;
}

/** Erase the current terminal line and return to its start. */
const CLEAR_LINE = '\r\x1b[2K';

export function createLogger(verbosity: Verbosity, stream: NodeJS.WriteStream = process.stderr): TerminalLogger {
  const tty = stream.isTTY === true;
  const live = tty && verbosity !== 'quiet';
  let statusText: string | null = null;
  const stamp = () => (tty ? '' : `${new Date().toISOString()} `);
  const write = (line: string) => {
    if (live && statusText !== null) stream.write(`${CLEAR_LINE}${line}\n${statusText}`);
    else stream.write(`${stamp()}${line}\n`);
  };
  return {
    live,
    get columns() {
      return stream.columns ?? 80;
    },
    info: (line) => verbosity !== 'quiet' && write(line),
    verbose: (line) => verbosity === 'verbose' && write(line),
    diagnostic: (d, opts = {}) => {
      if (verbosity === 'quiet' && severityOf(d) === 'info') return;
      const [line, hint] = diagnosticLines(d, opts.prefix);
      write(line);
      for (const detail of opts.details ?? []) write(`  ${detail}`);
      if (opts.hint !== false) write(hint);
    },
    status: (line) => {
      if (!live) return;
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      const next = line === null ? null : line.length > width ? `${line.slice(0, width - 1)}…` : line;
      stream.write(`${CLEAR_LINE}${next ?? ''}`);
      statusText = next;
    },
  };
}
