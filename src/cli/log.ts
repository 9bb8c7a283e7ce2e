/**
 * Progress and diagnostics go to stderr (stdout carries the table, so it can
 * be piped). Without a TTY (cron, CI) every line is timestamped and plain.
 */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  verbose(line: string): void;
}

export function createLogger(verbosity: Verbosity, stream: NodeJS.WriteStream = process.stderr): Logger {
  const stamp = () => (stream.isTTY ? '' : `${new Date().toISOString()} `);
  const write = (line: string) => stream.write(`${stamp()}${line}\n`);
  return {
    info: (line) => verbosity !== 'quiet' && write(line),
    warn: (line) => write(`warning: ${line}`),
    verbose: (line) => verbosity === 'verbose' && write(line),
  };
}
