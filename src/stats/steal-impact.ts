/**
 * When host CPU steal matters for a cell: steal is time the hypervisor below
 * took from this machine's CPUs during the fio windows. Taken from the
 * measured threads, it slows a repetition by at most about its own share, so
 * it is compared with what the cell can resolve anyway — its spread (the CV
 * of its repetitions), or, without a measured spread (fewer than 3
 * repetitions, or all equal), the smallest effect worth detecting.
 *
 * Below a quarter of that (STEAL_MATTERS_RATIO), even steal that hit one side
 * of a comparison in full would shift it by under a quarter of a standard
 * deviation of its repetitions: lost in the noise the statistics already
 * account for. 0.03 % steal against a CV of 6–20 % (TCG here) is a few
 * thousandths of it.
 */

/** Steal at or above this fraction of the cell's spread is worth a warning. */
export const STEAL_MATTERS_RATIO = 0.25;
/** A spread needs this many repetitions. */
const MIN_N_FOR_SPREAD = 3;

export interface StealImpact {
  stealPct: number;
  /** What steal is compared with, in %: the cell's CV, or the minimum effect. */
  spreadPct: number;
  spreadOf: 'cv' | 'min-effect';
  /** stealPct / spreadPct. */
  ratio: number;
  threshold: number;
}

/**
 * The steal's size against the cell's spread. `cv` and `minEffect` are
 * fractions (0.05 = 5 %), `stealPct` is in percent.
 */
export function stealImpact(stealPct: number, cell: { cv: number; n: number }, minEffect: number): StealImpact {
  const measured = cell.n >= MIN_N_FOR_SPREAD && Number.isFinite(cell.cv) && cell.cv > 0;
  const spreadPct = (measured ? cell.cv : minEffect) * 100;
  return {
    stealPct,
    spreadPct,
    spreadOf: measured ? 'cv' : 'min-effect',
    ratio: spreadPct > 0 ? stealPct / spreadPct : Infinity,
    threshold: STEAL_MATTERS_RATIO,
  };
}

/** The impact when it matters (ratio ≥ threshold), else null. */
export function stealThatMatters(
  stealPct: number | undefined,
  cell: { cv: number; n: number },
  minEffect: number,
): StealImpact | null {
  if (stealPct === undefined || !(stealPct > 0)) return null;
  const impact = stealImpact(stealPct, cell, minEffect);
  return impact.ratio >= impact.threshold ? impact : null;
}
