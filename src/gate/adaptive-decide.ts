/**
 * One declared comparison through the look schedule: the verdict of the
 * first look that decides it (adaptive-rule.ts), from the values measured so
 * far. A decision is never revisited: later rounds of a shared baseline cell
 * do not reopen it. Recomputed from the values every time (a resumed run
 * replays the same looks on the stored samples and reaches the same
 * decisions): nothing here is stored as truth.
 */
import { judgeLook, type LookRule } from './adaptive-rule.js';

export type AdaptiveDecision = 'different' | 'equivalent' | 'undecided';

export interface SequentialRule extends LookRule {
  /** Rounds after which the rule looks (lookSchedule), ascending; the last is the maximum. */
  looks: readonly number[];
}

/** Values of one metric of one cell by repetition (round), and how many rounds the cell was visited. */
export interface RoundSeries {
  rounds: number;
  /** Repetition → value (ok samples only; a failed round has none). */
  values: ReadonlyMap<number, number>;
}

export interface ComparisonState {
  /** `open`: not decided yet and rounds remain. */
  decision: AdaptiveDecision | 'open';
  /** Rounds of the look that decided (or the last look taken); 0 before the first look. */
  rounds: number;
  /** Why it stopped (or why it is open), one line. */
  reason: string;
  /** At the last look taken: change of the median (%), Mann-Whitney p, grey zone. */
  deltaPct: number | null;
  p: number | null;
  grey: boolean;
}

const upTo = (s: RoundSeries, n: number): number[] => [...s.values].filter(([rep]) => rep < n).map(([, v]) => v);

function describe(verdict: AdaptiveDecision, n: number, deltaPct: number, p: number, rule: SequentialRule): string {
  const d = `Δ ${deltaPct >= 0 ? '+' : ''}${deltaPct.toFixed(1)} %`;
  const level = `α′ = ${rule.alphaPerLook.toPrecision(2)}`;
  const m = `±${rule.minEffectPct} %`;
  if (verdict === 'different')
    return `different after ${n} rounds: ${d} beyond ${m}, p = ${p.toPrecision(2)} < ${level}`;
  return `equivalent after ${n} rounds: the ${((1 - 2 * rule.alphaPerLook) * 100).toPrecision(4)} % interval of Δ is inside ${m} (${d})`;
}

/**
 * The state of comparison A (baseline) vs B after the rounds both have.
 */
export function replayComparison(a: RoundSeries, b: RoundSeries, rule: SequentialRule): ComparisonState {
  const available = Math.min(a.rounds, b.rounds);
  let last: ComparisonState = {
    decision: 'open',
    rounds: 0,
    reason: 'no look yet',
    deltaPct: null,
    p: null,
    grey: false,
  };
  for (const n of rule.looks) {
    if (n > available) break;
    const va = upTo(a, n);
    const vb = upTo(b, n);
    if (va.length === 0 || vb.length === 0) continue;
    const look = judgeLook(va, vb, rule);
    const at = { rounds: n, deltaPct: look.deltaPct, p: look.p, grey: look.grey };
    if (look.verdict !== 'continue')
      return { ...at, decision: look.verdict, reason: describe(look.verdict, n, look.deltaPct, look.p, rule) };
    last = { ...at, decision: 'open', reason: look.grey ? 'grey zone' : 'not decided' };
  }
  const max = rule.looks.at(-1) ?? 0;
  if (available >= max) return { ...last, decision: 'undecided', reason: undecidedReason(last, max, rule) };
  return last;
}

/** Why a comparison ended undecided, naming the grey zone when it is in it. */
export function undecidedReason(
  last: Pick<ComparisonState, 'grey' | 'deltaPct'>,
  rounds: number,
  rule: Pick<LookRule, 'minEffectPct'>,
  why = 'the maximum',
): string {
  const d = last.deltaPct === null ? '' : ` (Δ ${last.deltaPct >= 0 ? '+' : ''}${last.deltaPct.toFixed(1)} %)`;
  if (last.grey)
    return `undecided at ${why} (${rounds} rounds), grey zone: significant${d} but the interval straddles ±${rule.minEffectPct} %`;
  return `undecided at ${why} (${rounds} rounds): neither beyond nor within ±${rule.minEffectPct} %${d}`;
}
