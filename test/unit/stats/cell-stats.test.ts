import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeCell } from '../../../src/stats/cell-stats.js';
import { explain, hint, type StatDiagnostic, type StatDiagnosticKind } from '../../../src/model/diagnostic.js';

const kinds = (ws: StatDiagnostic[]): StatDiagnosticKind[] => ws.map((w) => w.kind);

describe('summarizeCell', () => {
  it('quiet data: statistics, a CI and no warnings', () => {
    const s = summarizeCell([100, 101, 99, 100.5, 99.5, 100.2, 99.8, 100.1], { alpha: 0.01 });
    assert.equal(s.n, 8);
    assert.equal(s.median, 100.05);
    assert.equal(s.min, 99);
    assert.equal(s.max, 101);
    assert.ok(s.ci && s.ci.low === 99 && s.ci.high === 101);
    assert.deepEqual(s.outliers, []);
    assert.deepEqual(s.warnings, []);
  });

  it('too few samples for the CI and for the test at α', () => {
    const s = summarizeCell([100, 101, 99, 100.5], { alpha: 0.01 });
    assert.equal(s.ci, null);
    assert.deepEqual(s.warnings, [
      { kind: 'TooFewSamples', purpose: 'ci', n: 4, needed: 6, level: 0.95 },
      { kind: 'TooFewSamples', purpose: 'test', n: 4, needed: 5, alpha: 0.01 },
    ]);
  });

  it('a slow first repetition: HighCv, OutliersPresent and FirstSampleSlow', () => {
    const s = summarizeCell([80, 100, 101, 99, 100.5, 98, 102, 100]);
    assert.deepEqual(kinds(s.warnings), ['HighCv', 'OutliersPresent', 'FirstSampleSlow']);
    assert.deepEqual(s.outliers, [0]);
  });

  it('FirstSampleSlow follows the metric direction (latency: a higher first value is slower)', () => {
    const latency = [130, 100, 101, 99, 100.5, 100];
    assert.ok(kinds(summarizeCell(latency, { better: 'lower' }).warnings).includes('FirstSampleSlow'));
    assert.ok(!kinds(summarizeCell(latency, { better: 'higher' }).warnings).includes('FirstSampleSlow'));
  });

  it('Bimodal and HighSteal', () => {
    const s = summarizeCell([100, 120, 101, 121, 99, 119, 100.5, 120.5], { stealPct: 5 });
    assert.ok(kinds(s.warnings).includes('Bimodal'));
    assert.ok(kinds(s.warnings).includes('HighSteal'));
    assert.ok(!kinds(summarizeCell([1, 2, 3], { stealPct: 0 }).warnings).includes('HighSteal'));
  });

  it('HighSteal only when steal reaches a quarter of the cell’s CV, and says by how much', () => {
    const values = [100, 104, 96, 102, 98, 100]; // CV ≈ 2.83 %
    const cv = summarizeCell(values).cv * 100;
    const steal = (pct: number) =>
      summarizeCell(values, { stealPct: pct }).warnings.find((w) => w.kind === 'HighSteal');
    assert.equal(steal(0.0273), undefined, 'the TCG run’s 0.0273 % against a CV of a few % is noise');
    assert.equal(steal(cv * 0.25 * 0.99), undefined, 'just below the threshold');
    const at = steal(cv * 0.25 * 1.01);
    assert.ok(at && at.kind === 'HighSteal');
    assert.equal(at.spreadOf, 'cv');
    assert.ok(Math.abs(at.spreadPct - cv) < 1e-9);
    assert.ok(Math.abs(at.ratio - 0.2525) < 1e-9);
    assert.match(explain(at), /is 0\.253× the cell's CV of 2\.83 % \(warned from 0\.25×\)/);
  });

  it('HighSteal without a measured spread compares steal with the minimum effect (cvThreshold)', () => {
    const one = (pct: number) => summarizeCell([100], { stealPct: pct }).warnings.find((w) => w.kind === 'HighSteal');
    assert.equal(one(1.2), undefined, '1.2 % < a quarter of 5 %');
    const w = one(1.3);
    assert.ok(w && w.kind === 'HighSteal' && w.spreadOf === 'min-effect' && w.spreadPct === 5);
    assert.match(explain(w), /the 5 % minimum effect \(the cell has no measured spread\)/);
    assert.equal(
      summarizeCell([100], { stealPct: 1.3, cvThreshold: 0.1 }).warnings.find((x) => x.kind === 'HighSteal'),
      undefined,
      'the minimum effect follows cvThreshold',
    );
  });

  it('every warning explains itself in a sentence or two', () => {
    const bimodalNoisy = summarizeCell([100, 120, 101, 121, 99, 119, 100.5, 120.5, 100, 119.5], {
      alpha: 0.001,
      stealPct: 5,
    });
    const slowFirst = summarizeCell([80, 100, 101, 99, 100.5, 98, 102, 100]);
    const tiny = summarizeCell([1, 2], { alpha: 0.01 });
    const all = [...bimodalNoisy.warnings, ...slowFirst.warnings, ...tiny.warnings];
    const expected: StatDiagnosticKind[] = [
      'HighCv',
      'TooFewSamples',
      'OutliersPresent',
      'FirstSampleSlow',
      'Bimodal',
      'HighSteal',
    ];
    assert.deepEqual(new Set(kinds(all)), new Set(expected));
    for (const w of all) {
      const text = explain(w);
      assert.ok(text.length > 40 && !text.includes('undefined') && !text.includes('NaN'), text);
      assert.ok(hint(w).length > 10 && !hint(w).includes('undefined'), hint(w));
    }
  });
});
