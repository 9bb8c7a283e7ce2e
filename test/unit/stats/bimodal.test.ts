import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bimodality } from '../../../src/stats/bimodal.js';
import { mulberry32 } from '../../../src/util/prng.js';
import { normalSample } from './random-data.js';

describe('largest-gap bimodality flag', () => {
  it('two tight groups 20 % apart are bimodal (the case the bimodality coefficient misses at n = 8)', () => {
    const r = bimodality([100, 101, 99, 100.5, 120, 121, 119, 120.5]);
    assert.equal(r.bimodal, true);
    assert.deepEqual(r.split, { lowerMax: 101, upperMin: 119, lowerCount: 4, upperCount: 4 });
  });

  it('a single wild value is an outlier, not a second mode', () => {
    assert.equal(bimodality([100, 101, 99, 100.5, 100.2, 99.8, 100.1, 150]).bimodal, false);
  });

  it('needs n ≥ 8 by default', () => {
    assert.equal(bimodality([100, 101, 120, 121, 99, 119]).bimodal, false);
    assert.equal(bimodality([100, 101, 120, 121, 99, 119], { minN: 6 }).bimodal, true);
  });

  it('a tiny gap in very quiet data is not reported (< 5 % of the median)', () => {
    assert.equal(bimodality([100, 100, 100, 100, 101, 101, 101, 101]).bimodal, false);
  });

  it('seeded unimodal normal data with CV 3 % is rarely flagged', () => {
    const rng = mulberry32(42);
    let flagged = 0;
    for (let t = 0; t < 300; t++) if (bimodality(normalSample(rng, 10, 100, 3)).bimodal) flagged++;
    assert.ok(flagged <= 6, `flagged ${flagged}/300`);
  });
});
