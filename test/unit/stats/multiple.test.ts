import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adjustPValues, benjaminiHochberg, holm } from '../../../src/stats/multiple.js';

const closeAll = (actual: number[], expected: number[]) =>
  expected.forEach((e, i) =>
    assert.ok(Math.abs((actual[i] ?? NaN) - e) < 1e-12, `[${i}] expected ${e}, got ${actual[i]}`),
  );

describe('multiple-comparison adjustment (R p.adjust semantics)', () => {
  const p = [0.01, 0.04, 0.03, 0.005];

  it('Holm by hand: sorted 0.005·4, 0.01·3, 0.03·2, max(0.04·1, 0.06) → [0.03, 0.06, 0.06, 0.02]', () => {
    closeAll(holm(p), [0.03, 0.06, 0.06, 0.02]);
  });

  it('BH by hand: 0.005·4/1, 0.01·4/2, 0.03·4/3, 0.04·4/4, running min from the top → [0.02, 0.04, 0.04, 0.02]', () => {
    closeAll(benjaminiHochberg(p), [0.02, 0.04, 0.04, 0.02]);
  });

  it('caps at 1 and keeps monotonicity (R: p.adjust(c(0.2,0.5,0.6), "holm") = 0.6 1 1)', () => {
    closeAll(holm([0.2, 0.5, 0.6]), [0.6, 1, 1]);
    closeAll(benjaminiHochberg([0.2, 0.5, 0.6]), [0.6, 0.6, 0.6]);
  });

  it('a single test is unchanged; empty input gives empty output', () => {
    assert.deepEqual(adjustPValues([0.03], 'holm'), [0.03]);
    assert.deepEqual(adjustPValues([0.03], 'bh'), [0.03]);
    assert.deepEqual(holm([]), []);
  });

  it('BH is never more conservative than Holm', () => {
    const ps = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205];
    const h = holm(ps);
    benjaminiHochberg(ps).forEach((q, i) => assert.ok(q <= (h[i] ?? 0) + 1e-15));
  });
});
