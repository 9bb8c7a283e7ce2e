import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootstrapCi, ratioOfMedians } from '../../../src/stats/bootstrap.js';
import { deriveSeed, mulberry32 } from '../../../src/util/prng.js';
import { normalSample } from './random-data.js';

describe('seeded PRNG', () => {
  it('mulberry32 is reproducible, in [0, 1), and differs between seeds', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(
      xs,
      Array.from({ length: 1000 }, () => b()),
    );
    assert.ok(xs.every((x) => x >= 0 && x < 1));
    assert.notEqual(mulberry32(8)(), mulberry32(7)());
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(m - 0.5) < 0.03);
  });

  it('deriveSeed depends on both seed and name', () => {
    assert.equal(deriveSeed(1, 'cell'), deriveSeed(1, 'cell'));
    assert.notEqual(deriveSeed(1, 'cell'), deriveSeed(2, 'cell'));
    assert.notEqual(deriveSeed(1, 'a'), deriveSeed(1, 'b'));
  });
});

describe('percentile bootstrap CI', () => {
  const rng = mulberry32(3);
  const a = normalSample(rng, 20, 1000, 20);
  const b = normalSample(rng, 20, 1200, 20);

  it('same seed → same interval; the ratio-of-medians CI covers the true ratio 1.2', () => {
    const ci = bootstrapCi([a, b], ratioOfMedians, { seed: 11 });
    assert.deepEqual(ci, bootstrapCi([a, b], ratioOfMedians, { seed: 11 }));
    assert.ok(ci);
    assert.ok(ci.low < 1.2 && 1.2 < ci.high, JSON.stringify(ci));
    assert.ok(ci.high - ci.low < 0.1);
    assert.equal(ci.level, 0.95);
    assert.equal(ci.iterations, 2000);
  });

  it('a different seed gives a slightly different interval', () => {
    const x = bootstrapCi([a, b], ratioOfMedians, { seed: 11 });
    const y = bootstrapCi([a, b], ratioOfMedians, { seed: 12 });
    assert.ok(x && y);
    assert.notDeepEqual(x, y);
    assert.ok(Math.abs(x.low - y.low) < 0.02);
  });

  it('null for an empty sample or a non-finite statistic (zero median in the denominator)', () => {
    assert.equal(bootstrapCi([[], [1]], ratioOfMedians, { seed: 1 }), null);
    assert.equal(
      bootstrapCi(
        [
          [0, 0, 0],
          [1, 2, 3],
        ],
        ratioOfMedians,
        { seed: 1 },
      ),
      null,
    );
  });
});
