import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { medianCi, minSamplesForMedianCi, orderStatisticCoverage } from '../../../src/stats/median-ci.js';

describe('order-statistic CI of the median', () => {
  it('a 95 % interval needs n ≥ 6 (coverage 1 - 2·0.5^n: 93.75 % at 5, 96.875 % at 6)', () => {
    assert.equal(minSamplesForMedianCi(0.95), 6);
    assert.equal(orderStatisticCoverage(5, 1), 0.9375);
    assert.equal(orderStatisticCoverage(6, 1), 0.96875);
    const r = medianCi([5, 1, 4, 2, 3], 0.95);
    assert.equal(r.ci, null);
    assert.match(r.reason ?? '', /n ≥ 6, have 5/);
  });

  it('n = 6 uses the extremes with exact coverage 31/32', () => {
    const r = medianCi([12, 10, 15, 11, 14, 13]);
    assert.deepEqual(r.ci, { low: 10, high: 15, level: 0.95, achievedLevel: 31 / 32, lowerRank: 1, upperRank: 6 });
  });

  // Ranks from the standard table (e.g. Conover, Table A3; also Campbell & Gardner 1988, BMJ):
  // n=10 → (2, 9), 97.9 %; n=20 → (6, 15), 95.9 %; n=100 → (40, 61), 96.5 %.
  const cases: [number, number, number, number][] = [
    [10, 2, 9, 0.978515625],
    [20, 6, 15, 0.9586105346679688],
    [100, 40, 61, 0.9648],
  ];
  for (const [n, lo, hi, coverage] of cases) {
    it(`n = ${n} uses ranks ${lo} and ${hi}`, () => {
      const values = Array.from({ length: n }, (_, i) => (i * 37) % n); // a permutation of 0..n-1
      const { ci } = medianCi(values);
      assert.ok(ci);
      assert.equal(ci.lowerRank, lo);
      assert.equal(ci.upperRank, hi);
      assert.equal(ci.low, lo - 1);
      assert.equal(ci.high, hi - 1);
      assert.ok(Math.abs(ci.achievedLevel - coverage) < 1e-4);
      assert.ok(ci.achievedLevel >= 0.95);
    });
  }

  it('the level is a parameter: 99 % needs n ≥ 8', () => {
    assert.equal(minSamplesForMedianCi(0.99), 8);
    assert.equal(medianCi([1, 2, 3, 4, 5, 6, 7], 0.99).ci, null);
    assert.ok(medianCi([1, 2, 3, 4, 5, 6, 7, 8], 0.99).ci);
  });
});
