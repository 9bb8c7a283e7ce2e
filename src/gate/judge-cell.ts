/** The status of one tested cell × metric from its comparison and adjusted p. */
import type { ComparedRow } from '../compare/types.js';
import { formatNumber, formatP, formatSignedPct } from '../util/number-format.js';
import { exceedsMinEffect } from '../stats/min-effect.js';
import { exactMinP } from '../stats/mwu-exact.js';
import type { GateCellStatus } from './types.js';

export interface CellJudgeInput {
  row: ComparedRow;
  adjustedP: number;
  better: 'higher' | 'lower';
  minEffectPct: number;
  alpha: number;
  /** α / m: what the smallest p of the family must beat. */
  alphaPerTest: number;
  minSamplesNeeded: number;
}

export function judgeCell(input: CellJudgeInput): { status: GateCellStatus; reason: string; samplesNeeded?: number } {
  const { row, adjustedP, better, minEffectPct, alpha } = input;
  // Sample-size rule: the best p for these sizes, 2/C(n1+n2, n1), must beat α/m.
  // Ties do not lower it (the exact test with ties never goes below it). They
  // are not held against the sizes either: a tie pattern with values shared by
  // both sides (which raises the test's own minP) is evidence of no shift, and
  // a real shift would separate the sides, where the floor is 2/C again.
  const bestP = exactMinP(row.a.n, row.b.n);
  if (bestP >= input.alphaPerTest) {
    return {
      status: 'inconclusive',
      samplesNeeded: input.minSamplesNeeded,
      reason:
        `n = ${row.a.n} vs ${row.b.n}: the smallest p the test can give at these sizes (${formatP(bestP)}) is not below ` +
        `α/m = ${formatNumber(input.alphaPerTest, 3)}; run at least ${input.minSamplesNeeded} repetitions per side`,
    };
  }
  const delta = formatSignedPct(row.deltaPct);
  const worsePct = better === 'higher' ? -row.deltaPct : row.deltaPct;
  const adj = `adjusted p = ${formatP(adjustedP)}`;
  const beyond = `by more than the ${minEffectPct} % minimum effect (${adj} < α = ${alpha})`;
  if (!(adjustedP < alpha))
    return { status: 'pass', reason: `no significant difference (${delta}, ${adj} ≥ α = ${alpha})` };
  if (exceedsMinEffect(worsePct, minEffectPct)) {
    return { status: 'regression', reason: `${delta} is worse ${beyond}` };
  }
  if (exceedsMinEffect(-worsePct, minEffectPct)) {
    return { status: 'improvement', reason: `${delta} is better ${beyond}` };
  }
  return { status: 'pass', reason: `significant (${adj}) but ${delta} is within the ${minEffectPct} % minimum effect` };
}
