/**
 * The gate's headline, shared by the terminal table, Markdown and JUnit: the
 * verdict with its first real reason, the hint about it, the other reasons
 * in one line each, and the statistical setting (α, correction, m, the
 * repetitions per side a test needs) as a line of its own, after the reason.
 */
import { belowDeltaCiRule } from '../compare/delta-ci.js';
import { describeInconclusive, firstFew, inconclusiveHint } from '../compare/inconclusive.js';
import { formatNumber, formatSignedPct } from '../util/number-format.js';
import type { GateResult } from '../gate/types.js';

export interface GateHeadline {
  /** `INCONCLUSIVE`, `REGRESSION`, `PASS`. */
  verdict: string;
  /** Why, one line with the numbers. */
  why: string;
  /** Hint, or null when there is nothing to do (a pass). */
  hint: string | null;
  /** Further reasons, one line each, in precedence order. */
  also: string[];
  /** α, correction, m and the repetitions per side the tests need. */
  setting: string;
}

function regressionWhy(result: GateResult): string {
  const regressed = result.cells.filter((c) => c.status === 'regression');
  const list = regressed.map((c) => `${c.metric} @ ${c.cellKey} ${formatSignedPct(c.deltaPct)}`);
  return `${regressed.length} of ${result.tests} test(s) changed the worse way beyond the minimum effect: ${firstFew(list, 3, ', ')}`;
}

export function gateHeadline(result: GateResult): GateHeadline {
  const correction = result.correction === 'holm' ? 'Holm' : 'Benjamini-Hochberg';
  const alphaPerTest = result.alpha / Math.max(1, result.tests);
  const setting =
    `α = ${formatNumber(result.alpha)} (${correction}) over ${result.tests} test(s): a test needs at least ` +
    `${result.minSamplesNeeded} repetitions per side to reach α/m = ${formatNumber(alphaPerTest, 3)}`;
  const verdict = result.verdict.toUpperCase();
  const [first, ...rest] = result.inconclusive;
  if (result.verdict === 'inconclusive' && first) {
    return {
      verdict,
      why: describeInconclusive(first),
      hint: inconclusiveHint(first),
      also: rest.map(describeInconclusive),
      setting,
    };
  }
  if (result.verdict === 'regression') {
    return {
      verdict,
      why: regressionWhy(result),
      hint: null,
      also: result.inconclusive.map(describeInconclusive),
      setting,
    };
  }
  return { verdict, why: result.reasons[0] ?? '', hint: null, also: [], setting };
}

/** The headline as plain text lines: `gate: VERDICT — why`, then indented the hint, also, the setting. */
export function headlineLines(h: GateHeadline): string[] {
  return [
    `gate: ${h.verdict} — ${h.why}`,
    ...(h.hint ? [`  hint: ${h.hint}`] : []),
    ...h.also.map((a) => `  also: ${a}`),
    `  ${h.setting}`,
  ];
}

/** Run-level reasons in full (the headline shows only the first few differences): each environment difference, each incomplete set. */
export function runLevelLines(result: GateResult): string[] {
  return result.inconclusive.flatMap((r) => {
    if (r.kind === 'environment') return r.differences.map((d) => `environment differs: ${d.text}`);
    if (r.kind === 'incomplete')
      return r.sets.map((s) => `incomplete: ${describeInconclusive({ kind: 'incomplete', sets: [s] })}`);
    return [];
  });
}

/** Whether some tested cell shows no CI of Δ because of the sample-size rule (the legend then says so). */
export function hasRuleHiddenDeltaCi(result: GateResult): boolean {
  return result.cells.some(
    (c) => c.baseline && c.current && c.deltaCi === null && belowDeltaCiRule(c.baseline.n, c.current.n),
  );
}
