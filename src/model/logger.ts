/**
 * Where the engine writes what a person follows while it works: progress
 * lines, warnings, details for --verbose. The CLI's terminal logger
 * (cli/log.ts) implements it; tests collect the lines.
 */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  verbose(line: string): void;
}
