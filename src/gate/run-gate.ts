/**
 * `gate` from paths to a verdict: load the calibration (if any), the baseline
 * and the current result set; judge; with `confirm`, re-measure a regression
 * before it counts; then the calibration's warnings. Writing the reports and
 * choosing the exit code is the CLI's.
 */
import { calibrationWarnings, loadCalibration } from '../calibrate/file.js';
import type { ResultSet } from '../fingerprint/result-set.js';
import { loadResultSetFrom } from '../fingerprint/published-set.js';
import type { DbSource } from '../store/pg/connection.js';
import { judgeResultSets, type GateSettings } from './judge-result-sets.js';
import { confirmByRerun, type RerunOptions } from './rerun.js';
import type { GateResult } from './types.js';
import type { ComparisonDiagnostic } from '../model/diagnostic.js';

export interface GateRequest {
  baselinePath: string;
  currentPath: string;
  /** `--db`: the database a run id or `latest:<profile>` (baseline or current) is read from. */
  db?: DbSource | null;
  settings: GateSettings;
  /** `--bisect`: a current result set that cannot be read is an outcome (the commit is skipped), not an error. */
  bisect: boolean;
  /** `--confirm`: where the re-run of the regressed cells goes. */
  confirm?: RerunOptions;
  calibrationPath?: string;
}

export type GateOutcome =
  | { kind: 'unreadable-current'; error: unknown }
  | {
      kind: 'judged';
      baseline: ResultSet;
      current: ResultSet;
      result: GateResult;
      /** What qualifies the verdict: environment differences, the confirmation, the calibration's warnings. */
      diagnostics: ComparisonDiagnostic[];
      /** The confirmation re-run and its own judgement, when one stored anything. */
      rerun: { dir: string; result: GateResult } | null;
    };

/** `log`: progress lines of a confirmation (what is re-run). */
export async function runGate(req: GateRequest, log: (line: string) => void): Promise<GateOutcome> {
  const calibration = req.calibrationPath ? await loadCalibration(req.calibrationPath) : null;
  const baseline = await loadResultSetFrom(req.baselinePath, req.db ?? null);
  let current: ResultSet;
  try {
    current = await loadResultSetFrom(req.currentPath, req.db ?? null);
  } catch (err) {
    if (!req.bisect) throw err;
    return { kind: 'unreadable-current', error: err };
  }
  let judged = judgeResultSets(baseline, current, req.settings);
  let rerun: { dir: string; result: GateResult } | null = null;
  if (req.confirm && judged.result.verdict === 'regression') {
    ({ judged, rerun } = await confirmByRerun({ baseline, current }, judged, req.settings, req.confirm, log));
  }
  const { result } = judged;
  const warnings = calibration
    ? calibrationWarnings(result, calibration, current.fingerprint, req.settings.subjects)
    : [];
  return { kind: 'judged', baseline, current, result, diagnostics: [...judged.diagnostics, ...warnings], rerun };
}
