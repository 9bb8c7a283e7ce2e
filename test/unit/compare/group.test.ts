import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellKeyOf } from '../../../src/model/cell-key.js';
import { groupSamples, indexCells, metricBetter } from '../../../src/compare/group.js';
import { makeSample } from '../gate/sample-factory.js';

const cell = { backend: 'virtio-blk', ioeventfd: 'on', scheduler: 'none', iodepth: 1 };

describe('groupSamples', () => {
  const other = { ...cell, iodepth: 4 };
  const samples = [
    makeSample(cell, { iops: 300 }, { repetition: 2 }),
    makeSample(cell, { iops: 100 }, { repetition: 0 }),
    makeSample(cell, { iops: 999 }, { repetition: 3, status: 'failed', reason: 'fio exited 1' }),
    makeSample(cell, { iops: 200 }, { repetition: 1 }),
    makeSample(cell, { bw_bytes_per_s: 5 }, { repetition: 4 }), // no iops: skipped
    makeSample(other, { iops: 7 }, { repetition: 0, status: 'failed' }),
  ];

  it('keeps ok samples with the metric, in chronological order', () => {
    const g = groupSamples(samples, 'iops');
    assert.deepEqual([...g.entries()], [[cellKeyOf(cell), [100, 200, 300]]]);
  });

  it('indexCells counts every status per cell and keeps reasons', () => {
    const idx = indexCells(samples);
    assert.deepEqual(idx.get(cellKeyOf(cell))?.counts, { ok: 4, failed: 1, unsupported: 0, invalid: 0 });
    assert.deepEqual(idx.get(cellKeyOf(cell))?.reasons, ['fio exited 1']);
    assert.equal(idx.get(cellKeyOf(other))?.counts.failed, 1);
  });

  it('metricBetter reads the recorded direction', () => {
    assert.equal(metricBetter([makeSample(cell, { clat_p99_ns: 1 })], 'clat_p99_ns'), 'lower');
    assert.equal(metricBetter(samples, 'iops'), 'higher');
    assert.equal(metricBetter(samples, 'nope'), undefined);
  });
});
