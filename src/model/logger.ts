/**
 * Where the engine writes what a person follows while it works: progress
 * lines, details for --verbose, and typed diagnostics — every warning or
 * error is one (src/model/diagnostic.ts), so the CLI prints it with its
 * severity and hint. The CLI's terminal logger (cli/log.ts) implements it;
 * tests collect the lines.
 */
import type { Diagnostic } from './diagnostic.js';

export interface DiagnosticOptions {
  /** Written before the explanation, e.g. `boot b001-g1-r0 failed: `. */
  prefix?: string;
  /** Evidence lines shown under it (a console's last lines, JSON records). */
  details?: readonly string[];
  /** false: leave the hint out (several lines of one kind share one hint, printed with the last). */
  hint?: boolean;
}

export interface Logger {
  info(line: string): void;
  verbose(line: string): void;
  /** `<severity>: <prefix><explanation>`, the details, then `hint: …`; info is not shown with --quiet. */
  diagnostic(d: Diagnostic, opts?: DiagnosticOptions): void;
}
