/** The model of `gate`'s output: the verdict and what the command found around it. */
import type { GateResult } from '../gate/types.js';

export interface GateReport {
  result: GateResult;
  /** Names the JUnit suite and heads the Markdown summary. */
  title: string;
  /** Subjects, allowed environment differences, the confirmation re-run (stderr next to the table). */
  notes: string[];
  /** Calibration warnings: settings that cannot detect the calibrated effect. */
  warnings: string[];
}
