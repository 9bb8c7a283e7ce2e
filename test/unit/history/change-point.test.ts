/** Change points on synthetic series: a known shift is found at its place; flat noise and one bad night are not flagged. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../../src/util/prng.js';
import { mannWhitney } from '../../../src/stats/mann-whitney.js';
import { detectChangePoints, pettittStatistics, testChange } from '../../../src/history/change-point.js';

/** Seeded normal values (Box-Muller). */
function noisy(n: number, mean: number, sd: number, seed: number): number[] {
  const rng = mulberry32(seed);
  return Array.from(
    { length: n },
    () => mean + sd * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()),
  );
}

describe('Pettitt statistic', () => {
  it('equals |2·U_MW − t(n−t)| at every split (the Mann-Whitney form)', () => {
    const x = noisy(17, 100, 10, 3);
    x[5] = x[6]!; // a tie
    for (const { t, u } of pettittStatistics(x, 1)) {
      const mw = mannWhitney(x.slice(0, t), x.slice(t));
      assert.ok(Math.abs(u - Math.abs(2 * mw.u - t * (x.length - t))) < 1e-9, `t=${t}`);
    }
  });
  it('only splits with at least minSegment values on both sides', () => {
    assert.deepEqual(
      pettittStatistics(noisy(10, 0, 1, 1), 4).map((s) => s.t),
      [4, 5, 6],
    );
  });
});

describe('detectChangePoints', () => {
  it('a 10 % drop after night 15 of 30 (CV 2 %) is flagged at index 15', () => {
    const series = [...noisy(15, 40_000, 800, 11), ...noisy(15, 36_000, 720, 12)];
    const found = detectChangePoints(series);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.index, 15);
    assert.ok(found[0]!.p < 0.01);
    assert.ok(found[0]!.deltaPct < -8 && found[0]!.deltaPct > -12, String(found[0]!.deltaPct));
  });

  it('the shift is found wherever it is (not only in the middle)', () => {
    for (const at of [5, 9, 21]) {
      const series = [...noisy(at, 1000, 20, at), ...noisy(30 - at, 1150, 20, at + 100)];
      assert.deepEqual(
        detectChangePoints(series).map((c) => c.index),
        [at],
        `shift at ${at}`,
      );
    }
  });

  it('flat noisy series (CV 10 %): no change point, over many seeds', () => {
    let flagged = 0;
    for (let seed = 1; seed <= 40; seed++)
      flagged += detectChangePoints(noisy(30, 1000, 100, seed), { permutations: 499 }).length;
    // α = 0.01 per series: 40 series give 0.4 false flags on average; more than 2 would be a broken test.
    assert.ok(flagged <= 2, `${flagged} false change points in 40 flat series`);
    assert.deepEqual(detectChangePoints(noisy(30, 1000, 100, 7)), []);
  });

  it('a single bad night is not a change', () => {
    const series = noisy(24, 1000, 20, 5);
    series[12] = 500;
    assert.deepEqual(detectChangePoints(series), []);
    series[13] = 500; // two bad nights: still shorter than the minimum segment
    assert.deepEqual(detectChangePoints(series), []);
  });

  it('a significant but tiny shift (below the minimum effect) is not reported', () => {
    const series = [...noisy(15, 1000, 2, 1), ...noisy(15, 1020, 2, 2)];
    assert.deepEqual(detectChangePoints(series), []);
    assert.equal(detectChangePoints(series, { minEffectPct: 1 })[0]?.index, 15);
  });

  it('two steps are both found (binary segmentation)', () => {
    const series = [...noisy(12, 1000, 15, 1), ...noisy(12, 900, 15, 2), ...noisy(12, 800, 15, 3)];
    assert.deepEqual(
      detectChangePoints(series).map((c) => c.index),
      [12, 24],
    );
  });

  it('too short for two segments: nothing is tested; results are reproducible', () => {
    assert.equal(testChange([1, 2, 3, 10, 11, 12, 13]), null);
    const series = [...noisy(10, 100, 2, 1), ...noisy(10, 80, 2, 2)];
    assert.deepEqual(detectChangePoints(series), detectChangePoints(series));
  });

  it('a shift exactly at the minimum effect is not a change point (the gate rule: more than it)', () => {
    // 10000 → 9500 computes as −5.000000000000004 %; the exact shift is −5 %.
    const step = (after: number) => [...Array(8).fill(10000), ...Array(8).fill(after)];
    assert.deepEqual(detectChangePoints(step(9500)), []);
    assert.equal(detectChangePoints(step(9499))[0]?.index, 8);
  });
});
