/**
 * What `compare`, `gate` and a gate's calibration tell the user beside their
 * verdict: how the two sides' environments differ, what was paired how, what
 * a confirmation re-run did, and whether the calibration says the gate can
 * see the effect it is for. Why a verdict is inconclusive is typed apart
 * (src/compare/inconclusive.ts): it decides the verdict, these qualify it.
 */
import { formatFraction, formatNumber, formatP, formatSignedPct } from '../../util/number-format.js';
import type { KindTable } from './kind-text.js';

export type ComparisonDiagnostic =
  | { kind: 'SubjectDiffers'; difference: string }
  | { kind: 'EnvironmentDiffersAllowed'; difference: string }
  | { kind: 'InformationalDiffers'; difference: string }
  | { kind: 'SubjectUnchanged'; subjects: string[] }
  | { kind: 'SubjectAxisFolded'; axis: string }
  | {
      kind: 'SetHasSteal';
      label: string;
      /** Cells whose steal matters against their spread, of the cells that saw any. */
      cells: number;
      withSteal: number;
      worstCell: string;
      stealPct: number;
      spreadPct: number;
      spreadOf: 'cv' | 'min-effect';
      ratio: number;
    }
  | { kind: 'ConfirmRerunStored'; dir: string }
  | { kind: 'ConfirmRerunFailed'; exitCode: number }
  | { kind: 'CalibrationEnvironmentDiffers'; difference: string }
  | {
      kind: 'CalibrationLowPower';
      metric: string;
      cellKey: string;
      effectPct: number;
      power: number;
      target: number;
      n: readonly [number, number];
      alpha: number;
      minEffectPct: number;
      /** The minimum effect is not below the calibrated effect: about half of such regressions look smaller. */
      minEffectTooLarge: boolean;
      noise: { cv: number; madPct: number };
      /** Repetitions per side that reach the target; null: more than 100. */
      needed: number | null;
    }
  | { kind: 'CalibrationCoversNone'; calibrated: string[] }
  | { kind: 'CalibrationRunFailed'; exitCode: number }
  | { kind: 'AaArmsDiffer'; metric: string; cellKey: string; p: number; deltaPct: number }
  | { kind: 'CalibrationPartial'; calibrated: number; expected: number; dir: string };

export const COMPARISON_TEXTS: KindTable<ComparisonDiagnostic> = {
  SubjectDiffers: {
    severity: 'info',
    explain: (d) => `subject under test: ${d.difference}`,
    hint: () => 'this difference is what the comparison measures (--subject)',
  },
  EnvironmentDiffersAllowed: {
    severity: 'warning',
    explain: (d) => `environment differs (allowed by --allow-env-mismatch): ${d.difference}`,
    hint: () =>
      "the verdict mixes the subject's effect with this difference: measure both sides on the same setup to trust it",
  },
  InformationalDiffers: {
    severity: 'info',
    explain: (d) => d.difference,
    hint: () => 'recorded for the record; it does not change what is measured',
  },
  SubjectUnchanged: {
    severity: 'warning',
    explain: (d) => `the declared subject (${d.subjects.join(', ')}) is the same on both sides`,
    hint: () =>
      'check that --subject names the field that differs (the fingerprint paths are those of the differences listed above)',
  },
  SubjectAxisFolded: {
    severity: 'info',
    explain: (d) => `cells paired without the subject axis ${d.axis}`,
    hint: () => 'each cell of one side is compared with the cell equal on every other axis',
  },
  SetHasSteal: {
    severity: 'warning',
    explain: (d) =>
      `${d.label}: host CPU steal matters in ${d.cells} of the ${d.withSteal} cell(s) whose fio windows saw any — ` +
      `worst ${d.worstCell}: ${formatNumber(d.stealPct, 3)} % steal, ${formatNumber(d.ratio, 3)}× ` +
      `${d.spreadOf === 'cv' ? `its CV of ${formatNumber(d.spreadPct, 3)} %` : `the ${formatNumber(d.spreadPct, 3)} % minimum effect (no measured spread)`}: ` +
      `the hypervisor below ran something else on this machine's CPUs, and the numbers measure that load too`,
    hint: () => 'use a dedicated host or pinned, isolated CPUs, and measure again',
  },
  ConfirmRerunStored: {
    severity: 'info',
    explain: (d) => `confirm: re-run stored in ${d.dir}`,
    hint: () => 'the regressed cells were measured again there; `vblk-bench report` shows it',
  },
  ConfirmRerunFailed: {
    severity: 'warning',
    explain: (d) => `confirm: the re-run exited with ${d.exitCode} and stored nothing`,
    hint: () => 'run the profile by hand with the same --only-cell keys to see why',
  },
  CalibrationEnvironmentDiffers: {
    severity: 'warning',
    explain: (d) => `calibration: measured in another environment, its noise floor may not apply: ${d.difference}`,
    hint: () => '`vblk-bench calibrate` on this setup gives a noise floor that applies',
  },
  CalibrationLowPower: {
    severity: 'warning',
    explain: (d) =>
      `calibration: ${d.metric} @ ${d.cellKey}: a real ${d.effectPct} % regression is caught only ${formatFraction(d.power)} of the time ` +
      `with n = ${d.n[0]}/${d.n[1]}, α/m = ${formatNumber(d.alpha, 3)} and minimum effect ${d.minEffectPct} %` +
      `${d.minEffectTooLarge ? ` (the minimum effect ${d.minEffectPct} % is not below it, so about half of such regressions look smaller)` : ''} ` +
      `(calibrated noise: CV ${formatFraction(d.noise.cv)}, MAD ${formatNumber(d.noise.madPct, 3)} %)`,
    hint: (d) =>
      `run ${d.needed === null ? 'more than 100' : d.needed} repetitions per side to catch it ${formatFraction(d.target)} of the time (\`repetitions\` in the profile)`,
  },
  CalibrationCoversNone: {
    severity: 'warning',
    explain: (d) => `calibration: covers none of the tested cells (calibrated: ${d.calibrated.join(' ')})`,
    hint: () => '`vblk-bench calibrate` the profile the gate tests, so its cells are covered',
  },
  CalibrationRunFailed: {
    severity: 'error',
    explain: (d) => `calibrate: the A/A run exited with ${d.exitCode} and stored nothing`,
    hint: () => 'run the profile by hand (`vblk-bench run <profile>`) to see why',
  },
  AaArmsDiffer: {
    severity: 'warning',
    explain: (d) =>
      `A/A arms differ at p = ${formatP(d.p)} for ${d.metric} @ ${d.cellKey} (${formatSignedPct(d.deltaPct)}): ` +
      `identical configurations should not; the host drifted or was disturbed during the run`,
    hint: () =>
      'calibrate again on a quiet host (`vblk-bench doctor` names noise sources); this noise floor is too optimistic',
  },
  CalibrationPartial: {
    severity: 'warning',
    explain: (d) => `${d.calibrated} of ${d.expected} cell × metric pairs calibrated; see ${d.dir}`,
    hint: () =>
      'the A/A run has failed or missing samples (their reasons are in its results): fix that and calibrate again',
  },
};
