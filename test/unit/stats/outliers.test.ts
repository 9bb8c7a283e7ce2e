import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modifiedZOutliers } from '../../../src/stats/outliers.js';

describe('modified z-score outliers (Iglewicz-Hoaglin, |M| > 3.5)', () => {
  it('flags a wild value by the MAD rule', () => {
    // median 10.5, |dev| = .5 .5 0 .3 19.5 → MAD = 0.5; M(30) = 0.6745·19.5/0.5 = 26.3
    const r = modifiedZOutliers([10, 11, 10.5, 10.2, 30]);
    assert.equal(r.scale, 'mad');
    assert.deepEqual(r.indices, [4]);
    assert.ok(Math.abs((r.scores[4] ?? 0) - 26.3055) < 1e-9);
  });

  it('keeps moderate spread: nothing beyond 3.5', () => {
    assert.deepEqual(modifiedZOutliers([98, 100, 101, 99, 103, 97, 100]).indices, []);
  });

  it('MAD = 0 falls back to the mean absolute deviation', () => {
    // median 5, MeanAD = 95/7; M = 95 / (1.253314·95/7) = 5.585
    const r = modifiedZOutliers([5, 5, 5, 5, 5, 5, 100]);
    assert.equal(r.scale, 'meanad');
    assert.deepEqual(r.indices, [6]);
  });

  it('all equal or too few values: no outliers', () => {
    assert.deepEqual(modifiedZOutliers([4, 4, 4, 4]), { indices: [], scores: [0, 0, 0, 0], scale: 'none' });
    assert.deepEqual(modifiedZOutliers([1, 1000]).indices, []);
  });
});
