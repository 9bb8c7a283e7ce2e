/**
 * Diagnostics about one cell's measurements (after hyperfine's warnings):
 * each carries the numbers that triggered it. They never change a verdict by
 * themselves; the gate decides from sample counts and tests. src/stats/
 * cell-stats.ts finds them.
 */
import { formatFraction, formatNumber } from '../../util/number-format.js';
import type { KindTable } from './kind-text.js';

export type StatDiagnostic =
  | { kind: 'HighCv'; cv: number; threshold: number }
  | { kind: 'TooFewSamples'; purpose: 'ci'; n: number; needed: number; level: number }
  | { kind: 'TooFewSamples'; purpose: 'test'; n: number; needed: number; alpha: number }
  | { kind: 'OutliersPresent'; indices: number[]; n: number }
  | { kind: 'FirstSampleSlow'; first: number; medianOfRest: number; slowerBy: number; threshold: number }
  | { kind: 'Bimodal'; lowerCount: number; upperCount: number; lowerMax: number; upperMin: number }
  | {
      kind: 'HighSteal';
      stealPct: number;
      spreadPct: number;
      spreadOf: 'cv' | 'min-effect';
      ratio: number;
      threshold: number;
    };

export type StatDiagnosticKind = StatDiagnostic['kind'];

export const STAT_TEXTS: KindTable<StatDiagnostic> = {
  HighCv: {
    severity: 'warning',
    explain: (w) =>
      `The coefficient of variation is ${formatFraction(w.cv)} (threshold ${formatFraction(w.threshold)}): ` +
      `repetitions disagree by about as much as the effects worth detecting.`,
    hint: () => 'look for other load on the host, CPU frequency scaling or unpinned vCPUs, or run more repetitions',
  },
  TooFewSamples: {
    severity: 'warning',
    explain: (w) =>
      w.purpose === 'ci'
        ? `Only ${w.n} repetition(s): a ${formatFraction(w.level)} confidence interval for the median needs at least ${w.needed}.`
        : `Only ${w.n} repetition(s): at α = ${formatNumber(w.alpha, 3)} the Mann-Whitney test needs at least ${w.needed} per side ` +
          `before any difference can be significant, so "no significant difference" means nothing here.`,
    hint: (w) =>
      w.purpose === 'ci'
        ? `run at least ${w.needed} repetitions (\`repetitions\` in the profile)`
        : `run at least ${w.needed} repetitions per side (\`repetitions\` in the profile); \`vblk-bench calibrate\` tells how many this noise needs`,
  },
  OutliersPresent: {
    severity: 'warning',
    explain: (w) =>
      `${w.indices.length} of ${w.n} repetitions are statistical outliers (modified z-score > 3.5; ` +
      `repetition index ${w.indices.join(', ')}). Something else may have run on the host or in the guest ` +
      `during those repetitions; the median and the rank test are robust to them, the mean is not.`,
    hint: () =>
      'check what else ran on the host at those times; if it recurs, use a dedicated host or pinned, isolated CPUs',
  },
  FirstSampleSlow: {
    severity: 'warning',
    explain: (w) =>
      `The first repetition was ${formatFraction(w.slowerBy)} worse than the median of the others ` +
      `(${formatNumber(w.first)} vs ${formatNumber(w.medianOfRest)}; threshold ${formatFraction(w.threshold)}). ` +
      `Caches that were not yet warm (page cache, host block cache, guest dentries) are the usual cause.`,
    hint: () => 'use a ramp time (`fio.ramp_time`) or discard a warm-up repetition',
  },
  Bimodal: {
    severity: 'warning',
    explain: (w) =>
      `The repetitions fall into two separate groups (${w.lowerCount} at or below ${formatNumber(w.lowerMax)}, ` +
      `${w.upperCount} at or above ${formatNumber(w.upperMin)}). The median then describes neither.`,
    hint: () =>
      'look for a state that alternates between boots or repetitions (vCPU/IRQ placement, NUMA node, cache state)',
  },
  HighSteal: {
    severity: 'warning',
    explain: (w) =>
      `${formatNumber(w.stealPct, 3)} % CPU steal time in these repetitions' fio windows (host /proc/stat) is ` +
      `${formatNumber(w.ratio, 3)}× ${
        w.spreadOf === 'cv'
          ? `the cell's CV of ${formatNumber(w.spreadPct, 3)} %`
          : `the ${formatNumber(w.spreadPct, 3)} % minimum effect (the cell has no measured spread)`
      } (warned from ${formatNumber(w.threshold, 2)}×): the hypervisor below ran something else on this ` +
      `machine's CPUs, and taken from the measured threads it moves a repetition by up to about that much.`,
    hint: () => 'use a dedicated host or pinned, isolated CPUs',
  },
};
