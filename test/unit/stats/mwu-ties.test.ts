/**
 * The exact Mann-Whitney test with ties, pinned against independently computed values.
 *
 * Oracle in this file: enumerate every split of the pooled values into groups of
 * n1 and n2, compute U of each split by comparing all pairs (no ranks), and take
 * p = min(1, 2·min(#splits with U ≤ u, #splits with U ≥ u) / #splits); the
 * smallest attainable p is the smallest such p over all splits. This shares
 * nothing with the implementation (a dynamic program over tie groups in
 * doubled mid-ranks).
 *
 * Literal values: test/reference/stats-edge-cases.py (run by hand, not by the
 * tests) — a per-value subset-sum dynamic program in exact Python integers
 * (fractions shown below), cross-checked with SciPy 1.17.1
 * `scipy.stats.permutation_test((a, b), U, permutation_type='independent',
 * alternative='two-sided', n_resamples=np.inf)` (complete enumeration), which
 * agreed to the last digit. The normal values are SciPy's
 * `mannwhitneyu(a, b, method='asymptotic')`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mannWhitney } from '../../../src/stats/mann-whitney.js';
import { choose, exactMinP, exactUDistribution } from '../../../src/stats/mwu-exact.js';
import { tiedUDistribution } from '../../../src/stats/mwu-exact-ties.js';
import { trialRng } from './random-data.js';

function uOf(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const xi of x) for (const yj of y) u += xi > yj ? 1 : xi === yj ? 0.5 : 0;
  return u;
}

/** Every split's U, by enumeration of index subsets of size n1. */
function allSplitUs(pooled: readonly number[], n1: number): number[] {
  const us: number[] = [];
  const pick = (start: number, picked: number[]): void => {
    if (picked.length === n1) {
      const x = picked.map((i) => pooled[i] ?? NaN);
      const y = pooled.filter((_, i) => !picked.includes(i));
      us.push(uOf(x, y));
      return;
    }
    for (let i = start; i < pooled.length; i++) pick(i + 1, [...picked, i]);
  };
  pick(0, []);
  return us;
}

function bruteForce(a: readonly number[], b: readonly number[]): { u: number; p: number; minP: number } {
  const us = allSplitUs([...a, ...b], a.length);
  const values = [...new Set(us)];
  const pOf = (u: number) =>
    Math.min(1, (2 * Math.min(us.filter((v) => v <= u).length, us.filter((v) => v >= u).length)) / us.length);
  const u = uOf(a, b);
  return { u, p: pOf(u), minP: Math.min(...values.map(pOf)) };
}

const close = (actual: number, expected: number, tol: number, msg = '') =>
  assert.ok(Math.abs(actual - expected) <= tol, `${msg} expected ${expected}, got ${actual}`);

describe('exact Mann-Whitney with ties: the cases of issue 10', () => {
  it('6 vs 6, each side all tied: exact p = 2/C(12,6) = 1/462 = 0.0021645…, not the normal 0.00126', () => {
    const r = mannWhitney(Array(6).fill(1), Array(6).fill(2));
    assert.equal(r.method, 'exact-ties');
    assert.equal(r.ties, true);
    assert.equal(r.u, 0);
    close(r.p, 0.0021645021645021645, 1e-18); // = 1/462; SciPy permutation_test: 0.0021645021645021645
    close(r.p, 2 / choose(12, 6), 1e-18);
    close(r.minP, 2 / 924, 1e-18); // two tie groups, one per side: the floor stays 2/C(12,6)
    close(r.minP, exactMinP(6, 6), 1e-18);
    const { p, minP } = bruteForce(Array(6).fill(1), Array(6).fill(2));
    close(r.p, p, 1e-15);
    close(r.minP, minP, 1e-15);
    // The normal approximation that was used before, for the record: below the floor.
    const normal = mannWhitney(Array(6).fill(1), Array(6).fill(2), { exactTiesMaxN: 0 });
    assert.equal(normal.method, 'normal');
    close(normal.p, 0.0012619447673879731, 1e-9); // SciPy asymptotic
    assert.ok(normal.p < 2 / 924);
  });

  it('5 vs 5, each side all tied: exact p = 2/C(10,5) = 1/126 = 0.0079365…, not the normal 0.00398', () => {
    const r = mannWhitney(Array(5).fill(1), Array(5).fill(2));
    assert.equal(r.method, 'exact-ties');
    close(r.p, 0.007936507936507936, 1e-17); // = 1/126; SciPy permutation_test: 0.007936507936507936
    close(r.minP, 2 / 252, 1e-17);
    close(bruteForce(Array(5).fill(1), Array(5).fill(2)).p, r.p, 1e-15);
    close(mannWhitney(Array(5).fill(1), Array(5).fill(2), { exactTiesMaxN: 0 }).p, 0.003976751709788651, 1e-9); // SciPy asymptotic
  });
});

describe('exact Mann-Whitney with ties: other tie patterns', () => {
  // [a, b, U, p, minP]: values from the exact-integer Python DP (fractions), all equal to SciPy's permutation_test.
  const pinned: [string, number[], number[], number, number, number][] = [
    // p = minP = 2/11 (SciPy asymptotic: 0.0705 — anti-conservative by 2.6×); floor raised from 2/924 by the tie across the sides.
    ['6 × 1000 vs 3 × 1000 + 3 × 1100', Array(6).fill(1000), [1000, 1000, 1000, 1100, 1100, 1100], 9, 2 / 11, 2 / 11],
    // p = 38/99, minP = 1/396 = 2/C(12,5): the top extreme is one split, the bottom one six.
    ['asymmetric pattern, 7 vs 5', [1, 1, 2, 3, 3, 3, 4], [2, 2, 3, 5, 6], 11.5, 38 / 99, 1 / 396],
    // p = 370/1001, minP = 2/3003 = 2/C(15,5): the larger side first (the distribution is counted for the smaller).
    ['larger side first, 10 vs 5', [5, 5, 5, 6, 7, 7, 8, 9, 9, 9], [4, 5, 6, 6, 9], 33, 370 / 1001, 2 / 3003],
    // p = 1, minP = 1/63 = 4/252: every value on both sides, so no split is as extreme as complete separation.
    ['identical samples, 5 vs 5', [1, 2, 3, 4, 5], [5, 4, 3, 2, 1], 12.5, 1, 1 / 63],
  ];
  for (const [name, a, b, u, p, minP] of pinned) {
    it(`${name}: U = ${u}, p = ${p.toPrecision(6)}, smallest attainable p = ${minP.toPrecision(6)}`, () => {
      const r = mannWhitney(a, b);
      assert.equal(r.method, 'exact-ties');
      assert.equal(r.u, u);
      close(r.p, p, 1e-15);
      close(r.minP, minP, 1e-15);
      const brute = bruteForce(a, b);
      close(r.p, brute.p, 1e-15);
      close(r.minP, brute.minP, 1e-15);
      const swapped = mannWhitney(b, a);
      close(swapped.p, r.p, 1e-15);
      close(swapped.minP, r.minP, 1e-15);
    });
  }

  it('agrees with enumeration on seeded random tied data (coarse values, unequal sizes up to 8 vs 6)', () => {
    for (let t = 0; t < 40; t++) {
      const rng = trialRng(10, t);
      const n1 = 2 + (t % 7);
      const n2 = 2 + ((t * 3) % 5);
      const levels = 2 + (t % 4);
      const a = Array.from({ length: n1 }, () => Math.floor(rng() * levels));
      const b = Array.from({ length: n2 }, () => Math.floor(rng() * levels) + (t % 2));
      const r = mannWhitney(a, b);
      if (r.note) continue; // all values equal
      const brute = bruteForce(a, b);
      const msg = JSON.stringify([a, b]);
      assert.equal(r.method, r.ties ? 'exact-ties' : 'exact', msg);
      close(r.p, brute.p, 1e-12, msg);
      close(r.minP, brute.minP, 1e-12, msg);
      // The floor the gate's sample-size rule works with holds with ties too.
      assert.ok(r.p >= exactMinP(n1, n2) * (1 - 1e-12), msg);
    }
  });

  it('ClickHouse 01560 data (20 vs 20 with ties): exact p = 37376640583/68923264410 = 0.542293…', () => {
    const left = [310, 195, 530, 155, 530, 245, 385, 450, 465, 545, 170, 180, 125, 180, 230, 75, 430, 480, 495, 295];
    const right = [116, 171, 176, 421, 111, 326, 481, 111, 346, 441, 261, 411, 206, 521, 456, 446, 296, 51, 426, 261];
    const r = mannWhitney(left, right);
    assert.equal(r.method, 'exact-ties');
    assert.equal(r.u, 223);
    close(r.p, 37376640583 / 68923264410, 1e-15); // exact-integer Python DP; too many splits (1.4e11) to enumerate here
  });
});

describe('exact distribution with ties: structure and bounds', () => {
  it('without ties it equals the Mann-Whitney recursion (two algorithms, one distribution)', () => {
    for (const [m, n] of [
      [7, 4],
      [5, 5],
      [1, 9],
      [12, 11],
    ] as const) {
      const tied = tiedUDistribution(m, Array(m + n).fill(1));
      const plain = exactUDistribution(m, n);
      assert.equal(tied.total, choose(m + n, m));
      for (let u = 0; u <= m * n; u++) {
        close((tied.counts[2 * u] ?? NaN) / tied.total, plain[u] ?? NaN, 1e-15, `${m},${n},${u}`);
        assert.equal(tied.counts[2 * u + 1] ?? 0, 0); // no half-integer U without ties
      }
    }
  });

  it('counts are whole numbers summing to C(n1+n2, n1)', () => {
    const d = tiedUDistribution(9, [3, 1, 4, 1, 5, 2, 6]);
    assert.equal(d.total, choose(22, 9));
    assert.equal(
      d.counts.reduce((s, c) => s + c, 0),
      d.total,
    );
    assert.ok(d.counts.every((c) => Number.isInteger(c)));
  });

  it('the bound: ties are exact up to the splits of 25 vs 25 (and both sides ≤ 50), normal above', () => {
    const tied = (n: number, offset: number) => Array.from({ length: n }, (_, i) => Math.floor(i / 2) + offset);
    assert.equal(mannWhitney(tied(25, 0), tied(25, 3)).method, 'exact-ties');
    assert.equal(mannWhitney(tied(26, 0), tied(26, 3)).method, 'normal');
    assert.equal(mannWhitney(tied(14, 0), tied(50, 3)).method, 'exact-ties'); // C(64,14) ≈ 4.8e13 ≤ C(50,25) ≈ 1.26e14
    assert.equal(mannWhitney(tied(15, 0), tied(50, 3)).method, 'normal'); // C(65,15) ≈ 2.1e14
    assert.equal(mannWhitney(tied(5, 0), tied(51, 3)).method, 'normal'); // beyond exactMaxN
  });

  it('all values equal: p = 1 and minP = 1 with a note, whichever method', () => {
    for (const n of [3, 25, 40]) {
      const r = mannWhitney(Array(n).fill(7), Array(n).fill(7));
      assert.equal(r.p, 1);
      assert.equal(r.minP, 1);
      assert.match(r.note ?? '', /equal/);
    }
  });

  it('normal method with ties: minP comes from the most extreme U the ties allow', () => {
    // 30 vs 30, every value present on both sides: complete separation is impossible.
    const xs = Array.from({ length: 30 }, (_, i) => i);
    const r = mannWhitney(xs, [...xs].reverse());
    assert.equal(r.method, 'normal');
    const separated = mannWhitney(
      xs,
      xs.map((x) => x + 100),
    );
    assert.ok(r.minP > separated.minP * 10, `${r.minP} vs ${separated.minP}`);
  });
});
