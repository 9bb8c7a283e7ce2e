/** The model of `gate`'s output: the verdict and what the command found around it. */
import type { GateResult } from '../gate/types.js';
import type { ComparisonDiagnostic } from '../model/diagnostic.js';

export interface GateReport {
  result: GateResult;
  /** Names the JUnit suite and heads the Markdown summary. */
  title: string;
  /** What qualifies the verdict: subjects, allowed environment differences, the confirmation re-run, the calibration (stderr next to the table). */
  diagnostics: ComparisonDiagnostic[];
}
