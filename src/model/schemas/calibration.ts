/**
 * Schema of a calibration file (`calibrate -o`; the type and its meaning:
 * src/calibrate/file.ts). `gate --calibration` simulates with its residuals
 * and settings, so their sizes are bounded: a file cannot make the gate
 * spin for hours.
 */
import { z } from 'zod';
import { Better, CellValues, Line, Timestamp } from './common.js';
import { ProfileName } from './manifest.js';

export const CALIBRATION_KIND = 'vblk-bench-calibration';
export const CALIBRATION_SCHEMA_VERSION = 1;

/** Simulated comparisons per power estimate at most: more only makes `gate --calibration` slower, not better. */
export const MAX_SIMULATIONS = 100_000;

const finite = z.number({ error: 'expected a finite number' });
const fraction = finite.gt(0).lt(1);
const reps = z.number().int().min(1).max(100_000);

const CalibrationCellSchema = z.looseObject({
  cellKey: Line(4096),
  cell: CellValues,
  metric: Line(128),
  better: Better,
  n: z.tuple([reps, reps]),
  median: finite.nonnegative(),
  cv: finite.nonnegative(),
  madPct: finite.nonnegative(),
  aaDeltaPct: finite,
  aaP: finite.min(0).max(1),
  residuals: z.array(finite.nonnegative().max(1e6)).min(2).max(100_000),
  requiredRepetitions: z.number().int().positive().nullable(),
  powerAtMeasured: finite.min(0).max(1),
});

export const CalibrationFileSchema = z.looseObject(
  {
    kind: z.literal(CALIBRATION_KIND, {
      error: `expected "kind": "${CALIBRATION_KIND}" (not a vblk-bench calibration file)`,
    }),
    schemaVersion: z.literal(CALIBRATION_SCHEMA_VERSION, {
      error: `expected calibration schemaVersion ${CALIBRATION_SCHEMA_VERSION}`,
    }),
    createdAt: Timestamp,
    profileName: ProfileName,
    runDir: Line(4096),
    arms: z.looseObject({ axis: Line(64), labels: z.tuple([Line(256), Line(256)]), original: Line(256) }),
    settings: z.looseObject({
      effectPct: finite.gt(0).max(1000),
      alpha: fraction,
      power: fraction,
      simulations: z.number().int().min(1).max(MAX_SIMULATIONS),
      seed: z
        .number()
        .int()
        .nonnegative()
        .max(2 ** 32),
    }),
    fingerprint: z.record(z.string(), z.string()),
    cells: z.array(CalibrationCellSchema).max(100_000),
  },
  { error: 'expected a calibration file (a JSON object)' },
);
