import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cv, max, mean, median, min, quantile, stdev, describe as summarize } from '../../../src/stats/descriptive.js';

describe('descriptive statistics', () => {
  const xs = [2, 4, 4, 4, 5, 5, 7, 9];

  it('mean, sample stdev (n-1), cv, min, max', () => {
    assert.equal(mean(xs), 5);
    // Σ(x-5)² = 32, /(8-1)
    assert.ok(Math.abs(stdev(xs) - Math.sqrt(32 / 7)) < 1e-12);
    assert.ok(Math.abs(cv(xs) - Math.sqrt(32 / 7) / 5) < 1e-12);
    assert.equal(min(xs), 2);
    assert.equal(max(xs), 9);
  });

  it('median for odd and even n, without mutating the input', () => {
    const odd = [9, 1, 5];
    assert.equal(median(odd), 5);
    assert.deepEqual(odd, [9, 1, 5]);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('quantile type 7 matches R quantile() / numpy.percentile defaults', () => {
    // R: quantile(1:10, c(0, .1, .25, .9, 1)) → 1.00 1.90 3.25 9.10 10.00
    const oneToTen = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const expected: [number, number][] = [
      [0, 1],
      [0.1, 1.9],
      [0.25, 3.25],
      [0.9, 9.1],
      [1, 10],
    ];
    for (const [p, q] of expected) assert.ok(Math.abs(quantile(oneToTen, p) - q) < 1e-12, `p=${p}`);
  });

  it('degenerate inputs give NaN, not throws', () => {
    assert.ok(Number.isNaN(median([])));
    assert.ok(Number.isNaN(stdev([3])));
    assert.ok(Number.isNaN(cv([0, 0])));
    assert.ok(Number.isNaN(quantile([1, 2], 1.5)));
    assert.deepEqual(summarize([7]).n, 1);
  });
});
