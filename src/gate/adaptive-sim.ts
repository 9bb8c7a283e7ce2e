/**
 * The stopping rule of `repetitions: auto`, simulated on measured noise: each
 * simulated run draws one comparison's rounds from an A/A run's relative
 * residuals (the smoothed bootstrap of calibrate/power.ts, so the shape of the
 * real repetitions is kept), makes side B differ by a true effect, and plays
 * the look schedule until the rule decides or the maximum is reached.
 * Counts the decisions and the rounds they took. Seeded.
 * Used by `npm run adaptive-sim` (error rates), `npm run time-to-decision`
 * (rounds, fixed-n vs adaptive) and test/unit/gate/adaptive-sim.test.ts.
 */
import { drawSmoothed, silvermanBandwidth } from '../calibrate/power.js';
import { deriveSeed, mulberry32 } from '../util/prng.js';
import { replayComparison, type RoundSeries, type SequentialRule } from './adaptive-decide.js';

export interface SimulationCase {
  /** Relative residuals of an A/A run (value / median of its arm). */
  residuals: readonly number[];
  /** True change of B vs A, in % (0: A/A). */
  truePct: number;
  rule: SequentialRule;
  runs: number;
  seed: number;
}

export interface SimulationResult {
  runs: number;
  different: number;
  equivalent: number;
  undecided: number;
  /** Rounds per side until the decision (the maximum when undecided), summed over runs. */
  totalRounds: number;
  /** Rounds per run, ascending (for quantiles). */
  rounds: number[];
}

const series = (values: readonly number[]): RoundSeries => ({
  rounds: values.length,
  values: new Map(values.map((v, i) => [i, v])),
});

/** Residuals rescaled about 1 to coefficient of variation `cv` (same shape): r → 1 + (r − 1)·k. */
export function rescaleResiduals(residuals: readonly number[], fromCv: number, toCv: number): number[] {
  const k = fromCv > 0 ? toCv / fromCv : 0;
  return residuals.map((r) => 1 + (r - 1) * k);
}

export function simulateSequential(c: SimulationCase): SimulationResult {
  const rng = mulberry32(deriveSeed(c.seed, `sequential ${c.truePct}`));
  const h = silvermanBandwidth(c.residuals);
  const max = c.rule.looks.at(-1) ?? 0;
  const factor = 1 + c.truePct / 100;
  const out: SimulationResult = { runs: c.runs, different: 0, equivalent: 0, undecided: 0, totalRounds: 0, rounds: [] };
  for (let run = 0; run < c.runs; run++) {
    const a = series(drawSmoothed(c.residuals, max, h, rng, 1));
    const b = series(drawSmoothed(c.residuals, max, h, rng, factor));
    const state = replayComparison(a, b, c.rule);
    const decision = state.decision === 'open' ? 'undecided' : state.decision;
    out[decision]++;
    const rounds = decision === 'undecided' ? max : state.rounds;
    out.totalRounds += rounds;
    out.rounds.push(rounds);
  }
  out.rounds.sort((x, y) => x - y);
  return out;
}

/** Standard error of a share p estimated from n runs. */
export function shareSe(p: number, n: number): number {
  return Math.sqrt(Math.max(p * (1 - p), 0) / n);
}
