/** The HTML report's comparison note says why a comparison can never be significant: too few repetitions, or ties. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareValues } from '../../../src/compare/row.js';
import { comparisonText } from '../../../src/report/rows.js';

const row = (a: number[], b: number[]) =>
  compareValues({ cellKey: 'iodepth=1', baselineKey: 'iodepth=1', cell: { iodepth: 1 } }, a, b, {
    alpha: 0.05,
    seed: 1,
    iterations: 200,
  });

describe('comparison note', () => {
  it('n too small: 3 vs 3 can never reach α = 0.05 (2/C(6,3) = 0.1)', () => {
    assert.equal(
      comparisonText(row([1, 2, 3], [4, 5, 6]), ['iodepth'], 0.05).note,
      'n too small: p can never be below α = 0.05; no CI of Δ: n = 3 vs 3: a 95 % CI of Δ needs n ≥ 6 per side',
    );
  });

  it('too many ties: 5 vs 5 could reach 2/252, but 5 × 1000 vs 3 × 1000 + 2 × 1100 not below 2·C(8,5)/C(10,5) = 4/9', () => {
    const r = row([1000, 1000, 1000, 1000, 1000], [1000, 1000, 1000, 1100, 1100]);
    assert.equal(r.method, 'exact-ties');
    assert.ok(Math.abs(r.minP - 4 / 9) < 1e-15, String(r.minP));
    assert.equal(
      comparisonText(r, ['iodepth'], 0.05).note.split('; ')[0],
      'too many ties: p can never be below α = 0.05',
    );
  });

  it('no power note when the comparison can reach α, with or without ties (n = 6: no CI note either)', () => {
    assert.equal(comparisonText(row([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]), ['iodepth'], 0.05).note, '');
    assert.equal(comparisonText(row([1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2]), ['iodepth'], 0.05).note, '');
  });
});
