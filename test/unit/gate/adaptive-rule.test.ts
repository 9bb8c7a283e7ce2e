import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alphaPerLook, judgeLook, lookSchedule } from '../../../src/gate/adaptive-rule.js';
import { replayComparison, type RoundSeries } from '../../../src/gate/adaptive-decide.js';

const scaled = (values: readonly number[], factor: number) => values.map((v) => v * factor);
/** 12 values spread ±2 % around 1000, no ties. */
const base = [980, 985, 990, 993, 996, 999, 1001, 1004, 1007, 1010, 1015, 1020];
const rule = { alphaPerLook: 0.01, minEffectPct: 5 };

describe('adaptive stopping rule: one look', () => {
  it('different: significant and beyond the margin, either way; not when the same shift is within it', () => {
    assert.equal(judgeLook(base, scaled(base, 1.1), rule).verdict, 'different');
    assert.equal(judgeLook(base, scaled(base, 0.9), rule).verdict, 'different');
    // +4 %: significant (the sides do not overlap) but within ±5 %: not different.
    const within = judgeLook(base, scaled(base, 1.04), rule);
    assert.notEqual(within.verdict, 'different');
    assert.ok(within.p < 0.01);
  });

  it('grey zone: significant, estimate inside the margin, interval across it', () => {
    const look = judgeLook(base, scaled(base, 1.04), rule);
    assert.equal(look.verdict, 'continue');
    assert.equal(look.grey, true);
  });

  it('equivalent: the interval inside ±margin; not when the margin is narrower than the interval', () => {
    const b = scaled(base, 1.001);
    assert.equal(judgeLook(base, b, rule).verdict, 'equivalent');
    assert.equal(judgeLook(base, b, { ...rule, minEffectPct: 1 }).verdict, 'continue');
    assert.equal(judgeLook(base, b, { ...rule, minEffectPct: 1 }).grey, false);
  });

  it('no equivalence below the CI-of-Δ rule (5 per side), however tight', () => {
    const five = [999, 1000, 1000.5, 1001, 1002];
    assert.equal(judgeLook(five, five, rule).verdict, 'continue');
    assert.equal(judgeLook([...five, 1003], [...five, 1003], rule).verdict, 'equivalent');
  });

  it('not different when the sizes cannot reach α′, however large the shift', () => {
    assert.equal(judgeLook(base.slice(0, 3), scaled(base.slice(0, 3), 2), rule).verdict, 'continue');
  });

  it('α′ splits α over looks × comparisons; the schedule runs min..max geometrically', () => {
    assert.equal(alphaPerLook(0.05, 5, 2), 0.005);
    assert.deepEqual(lookSchedule(6, 30, 5), [6, 9, 13, 20, 30]);
    assert.deepEqual(lookSchedule(6, 6, 5), [6]);
    assert.deepEqual(lookSchedule(6, 8, 5), [6, 7, 8]);
  });
});

const series = (values: readonly number[], rounds = values.length): RoundSeries => ({
  rounds,
  values: new Map(values.map((v, i) => [i, v])),
});

describe('adaptive stopping rule: the looks', () => {
  const seq = { alphaPerLook: 0.01, minEffectPct: 5, looks: [6, 9, 12] };

  it('decides at the first look that can; later values do not reopen it', () => {
    const a = series(base);
    const b = series([...scaled(base.slice(0, 9), 1.2), 1, 1, 1]);
    const s = replayComparison(a, b, seq);
    assert.equal(s.decision, 'different');
    assert.equal(s.rounds, 6);
    assert.match(s.reason, /^different after 6 rounds/);
  });

  it('open until the maximum, then undecided with the grey zone named', () => {
    const b = scaled(base, 1.04);
    assert.equal(replayComparison(series(base, 9), series(b, 9), seq).decision, 'open');
    const end = replayComparison(series(base), series(b), seq);
    assert.equal(end.decision, 'undecided');
    assert.match(end.reason, /grey zone/);
  });

  it('a failed round (no value) is skipped, not a reason to stop', () => {
    const a = series(base);
    const values = new Map(base.map((v, i) => [i, v * 1.001] as [number, number]));
    values.delete(2);
    const s = replayComparison(a, { rounds: 12, values }, seq);
    assert.equal(s.decision, 'equivalent');
  });
});
