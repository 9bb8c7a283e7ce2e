import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stealByCell, stealSummary, stealThatMattersByCell } from '../../../src/fingerprint/steal.js';
import { makeSample } from '../gate/sample-factory.js';
import { parseProcStat, stealPctBetween } from '../../../src/host/steal.js';

describe('host steal time', () => {
  it('parses the aggregate cpu line of /proc/stat', () => {
    const text = 'cpu  100 0 50 800 10 0 5 35 0 0\ncpu0 50 0 25 400 5 0 2 18 0 0\n';
    assert.deepEqual(parseProcStat(text), { total: 1000, steal: 35 });
    assert.equal(parseProcStat('intr 1 2 3\n'), null);
    assert.equal(parseProcStat('cpu  1 2 3\n'), null, 'fewer than 8 fields');
  });

  it('steal between two readings is a share of all CPU time', () => {
    assert.equal(stealPctBetween({ total: 1000, steal: 10 }, { total: 2000, steal: 60 }), 5);
    assert.equal(stealPctBetween({ total: 1000, steal: 10 }, { total: 1000, steal: 10 }), null, 'no time passed');
    assert.equal(stealPctBetween(null, { total: 1, steal: 0 }), null);
  });

  it('summarises the steal recorded in samples, per cell and per run', () => {
    const s = (iodepth: number, steal: number | undefined) => {
      const x = makeSample({ iodepth }, { iops: 1 });
      if (steal !== undefined) x.observed = { hostStealPct: steal };
      return x;
    };
    const samples = [s(1, 0), s(1, 2), s(4, undefined), s(4, 0)];
    assert.deepEqual(
      [...stealByCell(samples)],
      [
        ['iodepth=1', 1],
        ['iodepth=4', 0],
      ],
    );
    assert.deepEqual(stealSummary(samples), { mean: 2 / 3, max: 2, nonZero: 1, n: 3 });
    assert.equal(stealSummary([s(1, undefined)]), null);
  });

  it('a set: the cells whose steal matters against their own IOPS spread, worst first', () => {
    const s = (iodepth: number, iops: number, steal: number) => {
      const x = makeSample({ iodepth }, { iops });
      x.observed = { hostStealPct: steal };
      return x;
    };
    // iodepth 1: CV ≈ 2.8 %, steal 1 % → 0.35×; iodepth 4: CV ≈ 20 %, steal 1 % → 0.05×; iodepth 8: no steal.
    const samples = [
      ...[100, 104, 96, 102, 98, 100].map((v) => s(1, v, 1)),
      ...[100, 130, 70, 120, 80, 100].map((v) => s(4, v, 1)),
      ...[100, 101, 99].map((v) => s(8, v, 0)),
    ];
    const { cells, withSteal } = stealThatMattersByCell(samples);
    assert.equal(withSteal, 2);
    assert.deepEqual(
      cells.map((c) => c.cellKey),
      [samples[0]!.cellKey],
    );
    assert.equal(cells[0]!.impact.spreadOf, 'cv');
    assert.ok(cells[0]!.impact.ratio > 0.25 && cells[0]!.impact.ratio < 0.5);
  });
});
