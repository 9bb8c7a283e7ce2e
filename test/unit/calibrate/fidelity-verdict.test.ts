/**
 * The fidelity verdicts at their boundaries, both sides of each: TOST's
 * interval inside ±m or not, p below α or not, the CI excluding 1 or
 * touching it; the projection's arithmetic; and whole cells from values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideVerdict, judgeCell, projectedN } from '../../../src/calibrate/fidelity-verdict.js';
import { minimumDetectableEffect } from '../../../src/calibrate/power.js';
import { normalSample, trialRng } from '../stats/random-data.js';

const ci = (low: number, high: number, level = 0.95) => ({ low, high, level });
const base = { deltaPct: -8, alpha: 0.05, marginPct: 5, mdePct: () => 12 };

test('equivalent exactly when the (1 − 2α) interval lies strictly inside ±m', () => {
  const inside = decideVerdict({ ...base, ci: ci(-5.5, 5.5), tostCi: ci(-4.99, 4.99, 0.9), p: 0.9 });
  assert.deepEqual(inside, { kind: 'equivalent', marginPct: 5 });
  for (const t of [ci(-5, 4, 0.9), ci(-4, 5, 0.9), ci(-6, 1, 0.9)]) {
    const v = decideVerdict({ ...base, ci: ci(-7, 7), tostCi: t, p: 0.9 });
    assert.equal(v.kind, 'undecided', JSON.stringify(t));
  }
  // A significant change inside the margin is a negligible one: equivalent.
  assert.equal(decideVerdict({ ...base, ci: ci(1, 3), tostCi: ci(1.2, 2.8, 0.9), p: 0.001 }).kind, 'equivalent');
});

test('effect exactly when p < α and the interval excludes 1 (0 %)', () => {
  const effect = decideVerdict({ ...base, ci: ci(-20, -0.01), tostCi: ci(-18, -2, 0.9), p: 0.049 });
  assert.equal(effect.kind, 'effect');
  assert.ok(effect.kind === 'effect' && effect.effectPct === -8, 'the estimate, not the middle of the CI');
  assert.equal(decideVerdict({ ...base, ci: ci(-20, -0.01), tostCi: ci(-18, -2, 0.9), p: 0.05 }).kind, 'undecided');
  assert.equal(decideVerdict({ ...base, ci: ci(-20, 0), tostCi: ci(-18, -2, 0.9), p: 0.01 }).kind, 'undecided');
  assert.equal(decideVerdict({ ...base, ci: ci(0.01, 30), tostCi: ci(2, 28, 0.9), p: 0.01 }).kind, 'effect');
});

test('undecided carries the minimum detectable effect, or says why there is no interval', () => {
  const v = decideVerdict({ ...base, ci: ci(-15, 15), tostCi: ci(-12, 12, 0.9), p: 0.5 });
  assert.deepEqual(v, {
    kind: 'undecided',
    mdePct: 12,
    why: 'the 90 % CI reaches beyond ±5 % and the change is not significant',
  });
  const none = decideVerdict({ ...base, ci: null, tostCi: null, p: 0.5 });
  assert.ok(none.kind === 'undecided' && /n ≥ 6/.test(none.why));
});

test('projection: n per side for ±h at CV c from the cell own interval (h ∝ CV·√(1/n₁+1/n₂))', () => {
  // h = 10 % at CV 10 %, n = 8 + 8: k = 10 / (10·0.5) = 2; at CV 2 % for ±2 %: 2·(2·2/2)² = 8.
  assert.equal(projectedN(ci(-10, 10), 10, 8, 8, { cvPct: 2, halfWidthPct: 2 }), 8);
  // Twice the target precision needs four times the samples.
  assert.equal(projectedN(ci(-10, 10), 10, 8, 8, { cvPct: 2, halfWidthPct: 1 }), 32);
  assert.equal(projectedN(ci(0, 0), 10, 8, 8, { cvPct: 2, halfWidthPct: 2 }), null);
  assert.equal(projectedN(ci(-1, 1), 0, 8, 8, { cvPct: 2, halfWidthPct: 2 }), null);
});

test('whole cells: equal paths are equivalent at low noise, a 30 % gap is an effect, n = 3 is undecided', () => {
  const rng = trialRng(11, 3);
  const a = normalSample(rng, 12, 1000, 10);
  const b = normalSample(rng, 12, 1000, 10);
  const same = judgeCell('k', 'iops', a, b, { alpha: 0.05, marginPct: 5 });
  assert.equal(same.verdict.kind, 'equivalent');
  assert.ok(same.ratio! > 0.98 && same.ratio! < 1.02);
  assert.ok(same.ciWidthPct! > 0 && same.projectedN! >= 2);
  const slow = judgeCell(
    'k',
    'iops',
    b.map((x) => x * 0.7),
    a,
    { alpha: 0.05, marginPct: 5 },
  );
  assert.equal(slow.verdict.kind, 'effect');
  assert.ok(slow.ci!.high < 0 && slow.p! < 0.05);
  const few = judgeCell('k', 'iops', a.slice(0, 3), b.slice(0, 3), { alpha: 0.05, marginPct: 5 });
  assert.equal(few.verdict.kind, 'undecided');
  assert.equal(few.ci, null);
  const none = judgeCell('k', 'iops', [], b, { alpha: 0.05, marginPct: 5 });
  assert.equal(none.ratio, null);
});

test('minimum detectable effect: smaller with more samples, none when the sizes cannot reach α', () => {
  const residuals = normalSample(trialRng(5, 1), 40, 1, 0.05);
  const q = { residuals, alpha: 0.05, better: 'higher' as const, simulations: 300 };
  const at6 = minimumDetectableEffect(q, 6, 6, 0.8)!;
  const at20 = minimumDetectableEffect(q, 20, 20, 0.8)!;
  assert.ok(at20 < at6, `${at20} < ${at6}`);
  assert.ok(at6 > 3 && at6 < 30, String(at6));
  assert.equal(minimumDetectableEffect(q, 2, 2, 0.8), null);
});
