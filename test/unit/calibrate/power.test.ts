import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requiredRepetitions, silvermanBandwidth, simulatePower } from '../../../src/calibrate/power.js';
import { normalSample, trialRng } from '../stats/random-data.js';

/** Relative residuals with a CV of about `cv`. */
const residuals = (cv: number, n = 40) => normalSample(trialRng(7, cv * 1000), n, 1, cv);

describe('simulated power of the Mann-Whitney comparison', () => {
  it('is about α when there is no effect, and reproducible from the seed', () => {
    const q = { residuals: residuals(0.05), effectPct: 0, alpha: 0.05, better: 'higher' as const, simulations: 2000 };
    const p = simulatePower(q, 10, 10);
    assert.ok(p <= 0.05, `one-sided half of α expected, got ${p}`);
    assert.equal(simulatePower(q, 10, 10), p);
  });

  it('grows with the sample size and the effect, and is near 1 for an effect far above the noise', () => {
    const q = { residuals: residuals(0.05), effectPct: 5, alpha: 0.01, better: 'higher' as const, simulations: 400 };
    const small = simulatePower(q, 6, 6);
    const large = simulatePower(q, 20, 20);
    assert.ok(large > small, `${small} < ${large}`);
    assert.ok(simulatePower({ ...q, effectPct: 50 }, 6, 6) > 0.95);
  });

  it('the minimum-effect rule costs power when the true effect is just above it', () => {
    const q = { residuals: residuals(0.02), effectPct: 5, alpha: 0.01, better: 'lower' as const, simulations: 400 };
    assert.ok(simulatePower({ ...q, minEffectPct: 5 }, 20, 20) < simulatePower(q, 20, 20));
  });

  it('required repetitions: none below what α allows, more for more noise, null beyond the limit', () => {
    const quiet = requiredRepetitions(
      { residuals: residuals(0.01), effectPct: 5, alpha: 0.01, better: 'higher', simulations: 300 },
      0.8,
    );
    assert.equal(quiet.n, 5, 'n = 5 is the smallest that can reach α = 0.01 and suffices for a 5σ effect');
    assert.ok(quiet.power >= 0.8);
    const noisy = requiredRepetitions(
      { residuals: residuals(0.05), effectPct: 5, alpha: 0.01, better: 'higher', simulations: 300 },
      0.8,
    );
    assert.ok(noisy.n !== null && noisy.n > 10, `got ${noisy.n}`);
    const hopeless = requiredRepetitions(
      { residuals: residuals(0.5), effectPct: 1, alpha: 0.01, better: 'higher', simulations: 100 },
      0.8,
      20,
    );
    assert.equal(hopeless.n, null);
  });

  it('Silverman bandwidth is 0 for constant data', () => {
    assert.equal(silvermanBandwidth([1, 1, 1]), 0);
    assert.ok(silvermanBandwidth([0.9, 1, 1.1, 1.05]) > 0);
  });

  it('a simulated change exactly at the minimum effect is not a detection (the gate rule)', () => {
    // Constant residuals: no jitter, every simulated comparison is 6 × 1 vs 6 × 0.95 (p = 2/924),
    // whose change computes as −5.000000000000004 %.
    const q = { residuals: [1, 1, 1], effectPct: 5, alpha: 0.01, better: 'higher' as const, simulations: 20 };
    assert.equal(simulatePower({ ...q, minEffectPct: 5 }, 6, 6), 0);
    assert.equal(simulatePower({ ...q, minEffectPct: 4.99 }, 6, 6), 1);
    assert.equal(simulatePower({ ...q, effectPct: 5.01, minEffectPct: 5 }, 6, 6), 1);
  });
});
