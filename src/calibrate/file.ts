/**
 * The calibration file `calibrate` writes and `gate --calibration` reads: the
 * noise floor per cell and metric, the repetitions a chosen effect needs, and
 * the fingerprint of where it was measured. `calibrationWarnings` tells a gate
 * whose settings cannot detect what they claim to.
 */
import { InputError } from '../model/errors.js';
import type { ComparisonDiagnostic } from '../model/diagnostic.js';
import { CALIBRATION_KIND, CALIBRATION_SCHEMA_VERSION, CalibrationFileSchema } from '../model/schemas/calibration.js';
import { MAX_FILE_BYTES, FileProblem, checkOwnOutput, readNamedJson } from '../store/stored-file.js';
import { writeJsonAtomic } from '../util/atomic-file.js';
import { exceedsMinEffect } from '../stats/min-effect.js';
import { compareFingerprints, describeDiff, type Fingerprint } from '../fingerprint/environment.js';
import type { AaArms, CellNoise } from './noise.js';
import { requiredRepetitions, simulatePower } from './power.js';

export { CALIBRATION_KIND, CALIBRATION_SCHEMA_VERSION };

export interface CalibrationSettings {
  /** The smallest regression worth catching, in %. */
  effectPct: number;
  alpha: number;
  /** Target probability of catching it. */
  power: number;
  simulations: number;
  seed: number;
}

export interface CalibrationCell extends CellNoise {
  /** Equal repetitions per side that catch `effectPct` at α with `power` (MWU significance); null beyond 100. */
  requiredRepetitions: number | null;
  /** Simulated power at the A/A run's own repetitions. */
  powerAtMeasured: number;
}

export interface CalibrationFile {
  kind: typeof CALIBRATION_KIND;
  schemaVersion: number;
  createdAt: string;
  profileName: string;
  /** The A/A results directory (kept: `npm run false-alarm` reads it). */
  runDir: string;
  arms: AaArms;
  settings: CalibrationSettings;
  fingerprint: Fingerprint;
  cells: CalibrationCell[];
}

export function calibrateCells(noise: readonly CellNoise[], settings: CalibrationSettings): CalibrationCell[] {
  return noise.map((c) => {
    const q = {
      residuals: c.residuals,
      effectPct: settings.effectPct,
      alpha: settings.alpha,
      better: c.better,
      simulations: settings.simulations,
      seed: settings.seed,
    };
    return {
      ...c,
      requiredRepetitions: requiredRepetitions(q, settings.power).n,
      powerAtMeasured: simulatePower(q, c.n[0], c.n[1]),
    };
  });
}

/** Writes a calibration file, checked first against the schema `loadCalibration` reads it with. */
export async function writeCalibration(path: string, calibration: CalibrationFile): Promise<void> {
  checkOwnOutput(CalibrationFileSchema, calibration, 'a calibration file');
  await writeJsonAtomic(path, calibration);
}

/** A calibration file, validated (src/model/schemas/calibration.ts); any problem is one line naming the field. */
export async function loadCalibration(path: string): Promise<CalibrationFile> {
  try {
    return (await readNamedJson(path, CalibrationFileSchema, MAX_FILE_BYTES.calibration)) as CalibrationFile;
  } catch (err) {
    if (err instanceof FileProblem) throw new InputError(`--calibration ${err.message}`);
    throw err;
  }
}

/** What calibrationWarnings reads of a gate's result (gate/types.ts: GateResult). */
export interface GatedCells {
  alpha: number;
  /** m: the cell × metric pairs tested. */
  tests: number;
  cells: readonly {
    cellKey: string;
    metric: string;
    better: 'higher' | 'lower';
    minEffectPct: number;
    p: number | null;
    baseline: { n: number } | null;
    current: { n: number } | null;
  }[];
}

/**
 * Warnings for a gate whose settings cannot detect the calibrated effect: for
 * each tested cell × metric with calibrated noise, the simulated chance that a
 * real regression of the calibration's size is caught with the gate's sample
 * sizes, α/m and minimum effect; and environment differences between the
 * calibration and the current run (the noise floor may not apply).
 */
export function calibrationWarnings(
  result: GatedCells,
  cal: CalibrationFile,
  current: Fingerprint,
  subjects: readonly string[],
): ComparisonDiagnostic[] {
  const warnings = compareFingerprints(cal.fingerprint, current, subjects).environment.map(
    (d): ComparisonDiagnostic => ({ kind: 'CalibrationEnvironmentDiffers', difference: describeDiff(d) }),
  );
  const { effectPct, power: target, simulations, seed } = cal.settings;
  const alpha = result.alpha / Math.max(1, result.tests);
  let covered = 0;
  for (const c of result.cells) {
    const noise = cal.cells.find((n) => n.cellKey === c.cellKey && n.metric === c.metric);
    if (!noise || !c.baseline || !c.current || c.p === null) continue;
    covered++;
    const q = {
      residuals: noise.residuals,
      effectPct,
      alpha,
      better: c.better,
      minEffectPct: c.minEffectPct,
      simulations,
      seed,
    };
    const power = simulatePower(q, c.baseline.n, c.current.n);
    if (power >= target) continue;
    warnings.push({
      kind: 'CalibrationLowPower',
      metric: c.metric,
      cellKey: c.cellKey,
      effectPct,
      power,
      target,
      n: [c.baseline.n, c.current.n],
      alpha,
      minEffectPct: c.minEffectPct,
      minEffectTooLarge: !exceedsMinEffect(effectPct, c.minEffectPct),
      noise: { cv: noise.cv, madPct: noise.madPct },
      needed: requiredRepetitions(q, target).n,
    });
  }
  if (covered === 0)
    warnings.push({ kind: 'CalibrationCoversNone', calibrated: [...new Set(cal.cells.map((c) => c.cellKey))] });
  return warnings;
}
