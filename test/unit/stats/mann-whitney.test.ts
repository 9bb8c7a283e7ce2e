import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mannWhitney } from '../../../src/stats/mann-whitney.js';
import { exactUDistribution } from '../../../src/stats/mwu-exact.js';

/**
 * Oracle: enumerate every split of the pooled values into groups of n1 and n2
 * and count those whose U is at least as far from n1·n2/2 as the observed one.
 * For samples without ties this is exactly R's wilcox.test(x, y)$p.value.
 */
function bruteForceP(a: readonly number[], b: readonly number[]): number {
  const pooled = [...a, ...b];
  const n1 = a.length;
  const uOf = (x: number[], y: number[]) =>
    x.reduce((s, xi) => s + y.reduce((t, yj) => t + (xi > yj ? 1 : xi === yj ? 0.5 : 0), 0), 0);
  const mid = (n1 * b.length) / 2;
  const observed = Math.abs(uOf([...a], [...b]) - mid);
  let extreme = 0;
  let total = 0;
  const choose = (start: number, picked: number[]): void => {
    if (picked.length === n1) {
      const x = picked.map((i) => pooled[i] ?? NaN);
      const y = pooled.filter((_, i) => !picked.includes(i));
      total++;
      if (Math.abs(uOf(x, y) - mid) >= observed - 1e-9) extreme++;
      return;
    }
    for (let i = start; i < pooled.length; i++) choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  return extreme / total;
}

const close = (actual: number, expected: number, tol: number, msg?: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${msg ?? ''} expected ${expected}, got ${actual}`);

describe('Mann-Whitney U, exact method', () => {
  it('n1 = n2 = 5, fully separated: p = 2/C(10,5) = 2/252 = 0.00794 (R: wilcox.test(1:5, 6:10) p = 0.007937)', () => {
    const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    assert.equal(r.method, 'exact');
    assert.equal(r.u, 0);
    close(r.p, 2 / 252, 1e-15);
    close(r.minP, 2 / 252, 1e-15);
  });

  it('Hollander & Wolfe (1973) p. 69, permeability data from R ?wilcox.test: W = 35, one-sided p = 0.1272, two-sided 0.2544', () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const r = mannWhitney(x, y);
    assert.equal(r.method, 'exact');
    assert.equal(r.u, 35);
    close(r.p, 0.2544122544122544, 1e-12); // scipy.stats.mannwhitneyu(x, y, method='exact')
    close(r.p, bruteForceP(x, y), 1e-12);
  });

  it('agrees with brute-force enumeration on assorted samples without ties', () => {
    const cases: [number[], number[]][] = [
      [
        [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3],
        [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06001, 3.14, 1.291],
      ],
      [
        [3, 7, 1],
        [2, 9, 4, 8, 11, 6],
      ],
      [
        [10.5, 20.25, 30.1, 40, 50.2, 60.3, 70.4],
        [15, 25, 35, 45],
      ],
      [[1], [2, 3, 4, 5, 6]],
      [
        [5, 6, 7, 8],
        [1, 2, 3, 4],
      ],
    ];
    for (const [a, b] of cases) {
      const r = mannWhitney(a, b);
      assert.equal(r.method, 'exact');
      close(r.p, bruteForceP(a, b), 1e-12, JSON.stringify([a, b]));
    }
  });

  it('the exact distribution sums to 1 and is symmetric', () => {
    const d = exactUDistribution(7, 4);
    assert.equal(d.length, 29);
    close(
      d.reduce((s, v) => s + v, 0),
      1,
      1e-12,
    );
    for (let u = 0; u < d.length; u++) close(d[u] ?? NaN, d[d.length - 1 - u] ?? NaN, 1e-15);
  });

  it('switches to the normal approximation above exactMaxN', () => {
    const a = Array.from({ length: 51 }, (_, i) => i + 0.5);
    const b = Array.from({ length: 10 }, (_, i) => i * 3.7 + 0.123);
    assert.equal(mannWhitney(a, b).method, 'normal');
    assert.equal(mannWhitney(a.slice(0, 50), b).method, 'exact');
  });
});

describe('Mann-Whitney U, normal approximation with ties', () => {
  it('ClickHouse 01560_mann_whitney data: U = 223, p = 0.5426959774 (scipy asymptotic, tie + continuity corrected)', () => {
    const left = [310, 195, 530, 155, 530, 245, 385, 450, 465, 545, 170, 180, 125, 180, 230, 75, 430, 480, 495, 295];
    const right = [116, 171, 176, 421, 111, 326, 481, 111, 346, 441, 261, 411, 206, 521, 456, 446, 296, 51, 426, 261];
    // Forced to the normal method: by default 20 vs 20 with ties is exact (mwu-ties.test.ts pins that value).
    const r = mannWhitney(left, right, { exactTiesMaxN: 0 });
    assert.equal(r.method, 'normal');
    assert.equal(r.ties, true);
    assert.equal(r.u, 223);
    close(r.p, 0.5426959774289482, 1e-6); // erfc approximation: relative error < 1.2e-7
  });

  it('large samples: matches scipy.stats.mannwhitneyu(method="asymptotic") = 0.016559083', () => {
    const a = Array.from({ length: 60 }, (_, i) => i * 1.1);
    const b = Array.from({ length: 55 }, (_, i) => i * 1.3 + 7);
    const r = mannWhitney(a, b);
    assert.equal(r.u, 1221.5);
    close(r.p, 0.01655908314399164, 1e-7);
  });

  it('all values equal: p = 1 with a note, never a verdict', () => {
    const r = mannWhitney([5, 5, 5, 5, 5, 5], [5, 5, 5, 5, 5, 5]);
    assert.equal(r.p, 1);
    assert.equal(r.minP, 1);
    assert.match(r.note ?? '', /equal/);
  });

  it('empty sample: p = 1 with a note', () => {
    const r = mannWhitney([], [1, 2, 3]);
    assert.equal(r.p, 1);
    assert.match(r.note ?? '', /empty/);
  });

  it('identical samples give U = n1·n2/2 and p = 1', () => {
    const xs = [3.1, 2.7, 9.4, 5.5, 6.0];
    const r = mannWhitney(xs, [...xs].reverse());
    assert.equal(r.u, 12.5);
    assert.equal(r.p, 1);
  });
});
