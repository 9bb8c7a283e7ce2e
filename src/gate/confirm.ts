/**
 * `gate --confirm`: a regression found in the current run is re-measured (only
 * the regressed cells) and counts only if the re-run shows it again. Two
 * independent runs must agree before a build fails, so a one-off disturbance
 * of the host during the current run does not fail it.
 *
 * Each originally regressed cell × metric takes the re-run's judgement:
 * regression → regression (confirmed); pass or improvement → pass (not
 * confirmed); inconclusive, missing or failed → inconclusive (the re-run
 * could not tell). Every other cell keeps its original status. Environment
 * differences of the re-run make the whole result inconclusive.
 */
import type { EnvironmentDifference } from '../compare/inconclusive.js';
import { gateVerdict } from './evaluate.js';
import type { GateCell, GateResult } from './types.js';

const keyOf = (c: Pick<GateCell, 'cellKey' | 'metric'>) => `${c.metric}@${c.cellKey}`;

/** The regressed cell keys of a result (what to re-run). */
export function regressedCellKeys(result: GateResult): string[] {
  return [...new Set(result.cells.filter((c) => c.status === 'regression').map((c) => c.cellKey))];
}

function confirmedCell(original: GateCell, rerun: GateCell | undefined): GateCell {
  if (!rerun)
    return {
      ...original,
      status: 'inconclusive',
      samplesNeeded: null,
      reason: `not confirmed: the re-run has no result for this cell (${original.reason})`,
    };
  switch (rerun.status) {
    case 'regression':
      return { ...original, reason: `confirmed by a re-run (${rerun.reason}); first run: ${original.reason}` };
    case 'pass':
    case 'improvement':
    case 'unsupported':
      return {
        ...original,
        status: 'pass',
        reason: `not confirmed: the re-run shows ${rerun.status} (${rerun.reason}); first run: ${original.reason}`,
      };
    default:
      return {
        ...original,
        status: 'inconclusive',
        samplesNeeded: null,
        reason: `not confirmed: the re-run is ${rerun.status} (${rerun.reason})`,
      };
  }
}

/**
 * The original result with its regressed cells judged again. The original's
 * incomplete data still counts; environment differences are the re-run's
 * (the original's, if any, made it inconclusive and nothing was re-run).
 */
export function mergeConfirmation(
  original: GateResult,
  rerun: GateResult,
  envMismatch: readonly EnvironmentDifference[] = [],
): GateResult {
  const byKey = new Map(rerun.cells.map((c) => [keyOf(c), c]));
  const cells = original.cells.map((c) => (c.status === 'regression' ? confirmedCell(c, byKey.get(keyOf(c))) : c));
  const incomplete = original.inconclusive.flatMap((r) => (r.kind === 'incomplete' ? r.sets : []));
  const verdict = gateVerdict(cells, { tests: original.tests, alpha: original.alpha, envMismatch, incomplete });
  return { ...original, ...verdict, cells };
}
