/** Seeded property tests of the whole test procedure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mannWhitney } from '../../../src/stats/mann-whitney.js';
import { minSamplesPerSide } from '../../../src/stats/min-samples.js';
import { normalSample, trialRng } from './random-data.js';

function rejectionRate(trials: number, n: number, shiftSd: number, alpha: number, seed: number): number {
  let rejected = 0;
  for (let t = 0; t < trials; t++) {
    const rng = trialRng(seed, t);
    const a = normalSample(rng, n, 100, 5);
    const b = normalSample(rng, n, 100 + shiftSd * 5, 5);
    if (mannWhitney(a, b).p < alpha) rejected++;
  }
  return rejected / trials;
}

describe('MWU properties (seeded)', () => {
  it('identical samples are never significant', () => {
    for (let t = 0; t < 50; t++) {
      const xs = normalSample(trialRng(1, t), 3 + (t % 20), 100, 5);
      assert.equal(mannWhitney(xs, [...xs]).p, 1);
    }
  });

  it('all-equal samples give p = 1 at any size', () => {
    for (const n of [1, 2, 5, 30, 80]) assert.equal(mannWhitney(Array(n).fill(7), Array(n + 1).fill(7)).p, 1);
  });

  it('same distribution: false-positive rate stays at or below α (α = 0.05, n = 8, 400 trials)', () => {
    const rate = rejectionRate(400, 8, 0, 0.05, 2);
    assert.ok(rate <= 0.08, `rate ${rate}`);
  });

  it('a 2σ shift is never significant below the minimum n, and almost always from n = 12', () => {
    const alpha = 0.01;
    const tooFew = minSamplesPerSide(alpha) - 1;
    assert.equal(rejectionRate(100, tooFew, 2, alpha, 3), 0);
    assert.ok(rejectionRate(100, 12, 2, alpha, 4) >= 0.95);
  });

  it('p-values are symmetric in the order of the samples', () => {
    for (let t = 0; t < 20; t++) {
      const rng = trialRng(5, t);
      const a = normalSample(rng, 6, 100, 5);
      const b = normalSample(rng, 9, 103, 5);
      const ab = mannWhitney(a, b);
      const ba = mannWhitney(b, a);
      assert.ok(Math.abs(ab.p - ba.p) < 1e-12);
      assert.equal(ab.u + ba.u, 6 * 9);
    }
  });
});
