/**
 * `calibrate` from a profile to a calibration: the profile's first boot
 * group as an A/A run — two identical arms, interleaved round by round
 * (aa-profile.ts) — measured by a real `vblk-bench run`, then the noise per
 * cell and metric (noise.ts) and the repetitions an effect needs (power.ts).
 * Writing the file and printing it is the CLI's.
 */
import { plannedRepetitions } from '../profile/adaptive.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../model/errors.js';
import { nameFromPath, parseYaml, readProfileText, validateProfile } from '../profile/load.js';
import { makePlan } from '../plan/plan.js';
import { spawnRun } from '../run/spawn-run.js';
import { loadResultSet } from '../fingerprint/result-set.js';
import { aaProfile } from './aa-profile.js';
import {
  calibrateCells,
  CALIBRATION_KIND,
  CALIBRATION_SCHEMA_VERSION,
  type CalibrationFile,
  type CalibrationSettings,
} from './file.js';
import { aaNoise } from './noise.js';

export const CALIBRATE_DEFAULTS = { effectPct: 5, power: 0.8, minRepetitions: 6 } as const;

export interface CalibrationRequest {
  profilePath: string;
  settings: CalibrationSettings;
  /** The metrics to calibrate (the gate's). */
  metrics: string[];
  /** Repetitions per arm; default: the profile's, at least CALIBRATE_DEFAULTS.minRepetitions. */
  repetitions?: number;
  /** Parent directory of the A/A results directory (`run --out`), and `run --wait-lock`. */
  out: string;
  waitLock?: boolean | string;
}

export type CalibrationOutcome =
  /** The A/A run stored nothing. */
  | { kind: 'no-run'; exitCode: number }
  | {
      kind: 'calibrated';
      calibration: CalibrationFile;
      runDir: string;
      /** The A/A run's own exit code. */
      runExitCode: number;
      /** Cell × metric pairs a whole A/A run calibrates. */
      expected: number;
    };

/** `log`: what is measured, before the A/A run starts. */
export async function runCalibration(
  req: CalibrationRequest,
  log: (line: string) => void,
): Promise<CalibrationOutcome> {
  const { profilePath, settings } = req;
  // The same way in as every profile: a regular file under the profile size cap.
  const raw = parseYaml(await readProfileText(profilePath));
  const profile = validateProfile(raw, nameFromPath(profilePath));
  const group = makePlan(profile, 'tcg').groups[0];
  if (!group) throw new InputError(`${profilePath}: no runnable cell to calibrate`);
  const repetitions = req.repetitions ?? Math.max(plannedRepetitions(profile), CALIBRATE_DEFAULTS.minRepetitions);
  if (repetitions < 3) throw new InputError('--repetitions: calibration needs at least 3 repetitions per arm');

  const aaName = `${profile.name}-aa`;
  const aa = aaProfile(raw, group, { name: aaName, repetitions });
  validateProfile(aa.input); // fails here, with the profile's own messages, rather than in the child
  const tmp = await mkdtemp(join(tmpdir(), 'vblk-calibrate-'));
  let child;
  try {
    const aaPath = join(tmp, `${aaName}.yaml`);
    await writeFile(aaPath, JSON.stringify(aa.input, null, 2) + '\n');
    log(`calibrate: A/A of ${group.key}, ${repetitions} repetitions per arm, interleaved`);
    child = await spawnRun(aaPath, { out: req.out, profileName: aaName, quiet: true, waitLock: req.waitLock });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  if (!child.dir) return { kind: 'no-run', exitCode: child.exitCode };

  const run = await loadResultSet(child.dir);
  const calibration: CalibrationFile = {
    kind: CALIBRATION_KIND,
    schemaVersion: CALIBRATION_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    profileName: profile.name,
    runDir: resolve(child.dir),
    arms: aa.arms,
    settings,
    fingerprint: run.fingerprint,
    cells: calibrateCells(aaNoise(run.samples, aa.arms, req.metrics), settings),
  };
  return {
    kind: 'calibrated',
    calibration,
    runDir: child.dir,
    runExitCode: child.exitCode,
    expected: group.cells.length * req.metrics.length,
  };
}
