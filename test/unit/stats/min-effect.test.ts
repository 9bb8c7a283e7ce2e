/**
 * "Beyond the minimum effect" at the threshold. The float values pinned here
 * are what IEEE-754 doubles give in any language (test/reference/stats-edge-cases.py
 * prints them from Python); the exact changes are −5 %, −10 % and +5 %
 * (9500/10000 = 19/20, 9000/10000 = 9/10, 10500/10000 = 21/20).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EFFECT_TOLERANCE, exceedsMinEffect } from '../../../src/stats/min-effect.js';

const pct = (baseline: number, current: number) => (current / baseline - 1) * 100;

describe('exceedsMinEffect: a change must be more than the minimum effect, decided at the threshold without rounding', () => {
  it('the rounding the issue found: 10000 → 9500 is −5.000000000000004 %, 10000 → 9000 is −9.999999999999998 %', () => {
    assert.equal(pct(10000, 9500), -5.000000000000004);
    assert.equal(pct(10000, 9000), -9.999999999999998);
    assert.equal(pct(10000, 10500), 5.000000000000004);
    assert.equal(pct(1000, 1050), 5.000000000000004);
  });

  it('exactly at the threshold is within it, whichever way the rounding went', () => {
    assert.equal(exceedsMinEffect(-pct(10000, 9500), 5), false); // was "more than 5 %" by rounding
    assert.equal(exceedsMinEffect(-pct(10000, 9000), 10), false); // was "within" by rounding
    assert.equal(exceedsMinEffect(pct(10000, 10500), 5), false);
    assert.equal(exceedsMinEffect(pct(1000, 1050), 5), false);
    assert.equal(exceedsMinEffect(5, 5), false);
  });

  it('just beyond or just inside is decided as measured', () => {
    assert.equal(exceedsMinEffect(-pct(10000, 9499), 5), true); // −5.01 %
    assert.equal(exceedsMinEffect(-pct(10000, 9501), 5), false); // −4.99 %
    assert.equal(exceedsMinEffect(-pct(10000, 8999), 10), true);
    assert.equal(exceedsMinEffect(-pct(1e6, 1e6 - 50_001), 5), true); // one part in a million above the threshold still counts
    assert.equal(exceedsMinEffect(5 + 100 * EFFECT_TOLERANCE * 2, 5), true);
    assert.equal(exceedsMinEffect(5 + 100 * EFFECT_TOLERANCE * 0.5, 5), false);
  });

  it('a zero minimum effect counts any real change; NaN and changes the other way never count', () => {
    assert.equal(exceedsMinEffect(0.001, 0), true);
    assert.equal(exceedsMinEffect(1e-12, 0), false);
    assert.equal(exceedsMinEffect(-20, 5), false);
    assert.equal(exceedsMinEffect(NaN, 5), false);
    assert.equal(exceedsMinEffect(150, 100), true); // a latency that more than doubles
  });
});
