import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootstrapCi, ratioOfMedians } from '../../../src/stats/bootstrap.js';
import { ResampledMedian, ratioTailProbabilities, ratioTailsBelow } from '../../../src/stats/bootstrap-exact.js';
import { median } from '../../../src/stats/descriptive.js';
import { mulberry32, randomInt } from '../../../src/util/prng.js';
import { normalSample } from './random-data.js';

/** Monte-Carlo share of resampled medians ≤ x. */
function drawnShare(values: number[], x: number, draws: number, seed: number): number {
  const rng = mulberry32(seed);
  let hits = 0;
  for (let k = 0; k < draws; k++) {
    const r = values.map(() => values[randomInt(rng, values.length)]!);
    if (median(r) <= x) hits++;
  }
  return hits / draws;
}

describe('exact bootstrap distribution of a median', () => {
  for (const n of [1, 2, 5, 6, 7, 12, 13, 30]) {
    it(`n = ${n}: the probabilities sum to 1 and P(median* ≤ x) matches 20000 drawn resamples within 4 SE`, () => {
      const values = normalSample(mulberry32(n), n, 100, 10);
      const d = new ResampledMedian(values);
      let total = 0;
      d.forEachPoint((_, p) => (total += p));
      assert.ok(Math.abs(total - 1) < 1e-9, `total ${total}`);
      for (const x of [95, median(values), 104]) {
        const exact = d.cdf(x);
        const drawn = drawnShare(values, x, 20000, 7 + n);
        const se = Math.sqrt(Math.max(exact * (1 - exact), 1e-4) / 20000);
        assert.ok(Math.abs(exact - drawn) < 4 * se, `n=${n} x=${x}: exact ${exact} drawn ${drawn}`);
      }
    });
  }

  it('ties: a constant sample has its value with probability 1', () => {
    const d = new ResampledMedian([5, 5, 5, 5]);
    assert.equal(d.cdf(5), 1);
    assert.equal(d.cdf(5, true), 0);
  });

  it('the tails agree with the percentile interval of 20000 resamples of the ratio of medians', () => {
    const rng = mulberry32(9);
    const a = normalSample(rng, 12, 1000, 30);
    const b = normalSample(rng, 12, 1020, 30);
    const ci = bootstrapCi([a, b], ratioOfMedians, { seed: 3, iterations: 20000, level: 0.9 })!;
    // At the interval's own bounds each tail is 5 % (up to the resampling error and the discreteness).
    const t = ratioTailProbabilities(a, b, ci.low, ci.high);
    assert.ok(Math.abs(t.atOrBelow - 0.05) < 0.02, JSON.stringify(t));
    assert.ok(Math.abs(t.atOrAbove - 0.05) < 0.02, JSON.stringify(t));
  });

  it('ratioTailsBelow gives the same answer as the full tail sums, on both sides of the level', () => {
    const rng = mulberry32(4);
    let yes = 0;
    for (let k = 0; k < 200; k++) {
      const n = 6 + (k % 20);
      const a = normalSample(rng, n, 1000, 40);
      const b = normalSample(rng, n, 1000 + (k % 7) * 5, 40);
      const t = ratioTailProbabilities(a, b, 0.95, 1.05);
      const full = t.atOrBelow < 0.01 && t.atOrAbove < 0.01;
      assert.equal(ratioTailsBelow(a, b, { low: 0.95, high: 1.05, level: 0.01 }), full, `case ${k}`);
      if (full) yes++;
    }
    assert.ok(yes > 10 && yes < 190, `both answers exercised (${yes} yes of 200)`);
  });
});
