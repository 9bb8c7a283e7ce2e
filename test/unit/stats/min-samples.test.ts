import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canReachAlpha, minOtherSide, minSamplesPerSide } from '../../../src/stats/min-samples.js';
import { choose, exactMinP } from '../../../src/stats/mwu-exact.js';
import { mannWhitney } from '../../../src/stats/mann-whitney.js';

describe('minimum samples for a two-sided exact MWU', () => {
  it('min p with n per side is 2/C(2n,n): 0.1, 0.0286, 0.00794, 0.00216, 0.000583 for n = 3..7', () => {
    assert.equal(choose(10, 5), 252);
    assert.equal(choose(100, 50) > 1e29, true);
    const expected = [2 / 20, 2 / 70, 2 / 252, 2 / 924, 2 / 3432];
    expected.forEach((p, i) => assert.equal(exactMinP(i + 3, i + 3), p));
  });

  it('α = 0.05 needs 4 per side, α = 0.01 needs 5, α = 0.001 needs 7', () => {
    assert.equal(minSamplesPerSide(0.05), 4);
    assert.equal(minSamplesPerSide(0.01), 5);
    assert.equal(minSamplesPerSide(0.001), 7);
  });

  it('the minimum is attained: fully separated samples of that size reach p < α, one fewer cannot', () => {
    for (const alpha of [0.05, 0.01, 0.001]) {
      const n = minSamplesPerSide(alpha);
      const low = Array.from({ length: n }, (_, i) => i);
      const high = low.map((x) => x + 100);
      assert.ok(mannWhitney(low, high).p < alpha);
      assert.ok(mannWhitney(low.slice(1), high.slice(1)).p >= alpha);
    }
  });

  it('unequal sizes: a large baseline lets the other side be small', () => {
    assert.equal(canReachAlpha(20, 3, 0.01), true); // 2/C(23,3) = 0.00113
    assert.equal(canReachAlpha(4, 4, 0.01), false);
    assert.equal(minOtherSide(20, 0.01), 2); // 2/C(21,1) = 0.095, 2/C(22,2) = 0.00866
  });
});
