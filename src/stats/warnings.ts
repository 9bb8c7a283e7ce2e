/**
 * Typed warnings about one cell's measurements, after hyperfine's warnings:
 * each carries the numbers that triggered it, and `explain()` turns it into a
 * sentence with the likely cause and what to do. Warnings never change a
 * verdict by themselves; the gate decides from sample counts and tests.
 */
import { formatFraction, formatNumber } from './format.js';

export type StatWarning =
  | { kind: 'HighCv'; cv: number; threshold: number }
  | { kind: 'TooFewSamples'; purpose: 'ci'; n: number; needed: number; level: number }
  | { kind: 'TooFewSamples'; purpose: 'test'; n: number; needed: number; alpha: number }
  | { kind: 'OutliersPresent'; indices: number[]; n: number }
  | { kind: 'FirstSampleSlow'; first: number; medianOfRest: number; slowerBy: number; threshold: number }
  | { kind: 'Bimodal'; lowerCount: number; upperCount: number; lowerMax: number; upperMin: number }
  | { kind: 'NonZeroSteal'; stealPct: number };

export type StatWarningKind = StatWarning['kind'];

export function explain(w: StatWarning): string {
  switch (w.kind) {
    case 'HighCv':
      return (
        `The coefficient of variation is ${formatFraction(w.cv)} (threshold ${formatFraction(w.threshold)}): ` +
        `repetitions disagree by about as much as the effects worth detecting. Look for other load on the host, ` +
        `CPU frequency scaling or unpinned vCPUs, or run more repetitions.`
      );
    case 'TooFewSamples':
      return w.purpose === 'ci'
        ? `Only ${w.n} repetition(s): a ${formatFraction(w.level)} confidence interval for the median needs at ` +
            `least ${w.needed}. Run more repetitions.`
        : `Only ${w.n} repetition(s): at α = ${formatNumber(w.alpha, 3)} the Mann-Whitney test needs at least ${w.needed} per side ` +
            `before any difference can be significant, so "no significant difference" means nothing here.`;
    case 'OutliersPresent':
      return (
        `${w.indices.length} of ${w.n} repetitions are statistical outliers (modified z-score > 3.5; ` +
        `repetition index ${w.indices.join(', ')}). Something else may have run on the host or in the guest ` +
        `during those repetitions; the median and the rank test are robust to them, the mean is not.`
      );
    case 'FirstSampleSlow':
      return (
        `The first repetition was ${formatFraction(w.slowerBy)} worse than the median of the others ` +
        `(${formatNumber(w.first)} vs ${formatNumber(w.medianOfRest)}; threshold ${formatFraction(w.threshold)}). ` +
        `Caches that were not yet warm (page cache, host block cache, guest dentries) are the usual cause: ` +
        `use a ramp time or discard a warm-up repetition.`
      );
    case 'Bimodal':
      return (
        `The repetitions fall into two separate groups (${w.lowerCount} at or below ${formatNumber(w.lowerMax)}, ` +
        `${w.upperCount} at or above ${formatNumber(w.upperMin)}). The median then describes neither; look for a ` +
        `state that alternates between boots or repetitions (vCPU/IRQ placement, NUMA node, cache state).`
      );
    case 'NonZeroSteal':
      return (
        `${formatNumber(w.stealPct, 3)} % CPU steal time was measured during these repetitions (host /proc/stat, ` +
        `fio windows only): the hypervisor below ran something else on this machine's CPUs, so the numbers ` +
        `measure that load as much as the I/O path. Use a dedicated host or pinned, isolated CPUs.`
      );
  }
}
