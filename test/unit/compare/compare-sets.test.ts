import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareSets } from '../../../src/compare/compare-sets.js';
import type { ComparedRow, ComparisonRow } from '../../../src/compare/types.js';
import { mulberry32 } from '../../../src/util/prng.js';
import { makeRuns } from '../gate/sample-factory.js';
import { normalSample } from '../stats/random-data.js';

const c1 = { backend: 'virtio-blk', iodepth: 1 };
const c2 = { backend: 'virtio-blk', iodepth: 8 };
const onlyA = { backend: 'virtio-scsi', iodepth: 1 };
const onlyB = { backend: 'nvme', iodepth: 1 };

function ok(row: ComparisonRow | undefined): ComparedRow {
  assert.ok(row && row.status === 'ok', `expected an ok row, got ${JSON.stringify(row?.status)}`);
  return row;
}

describe('compareSets', () => {
  const rng = mulberry32(9);
  const same = normalSample(rng, 10, 50_000, 500);
  const a = [
    ...makeRuns(c1, 'iops', normalSample(rng, 10, 10_000, 100)),
    ...makeRuns(c2, 'iops', same),
    ...makeRuns(onlyA, 'iops', [1, 2, 3]),
  ];
  const b = [
    ...makeRuns(c1, 'iops', normalSample(rng, 10, 12_000, 100)),
    ...makeRuns(c2, 'iops', [...same].reverse()),
    ...makeRuns(onlyB, 'iops', [4, 5, 6]),
  ];
  const rows = compareSets(a, b, { metric: 'iops', alpha: 0.05, seed: 1 });

  it('one row per cell: matched cells first (A order), then the missing ones', () => {
    assert.deepEqual(
      rows.map((r) => [r.cellKey, r.status]),
      [
        ['backend=virtio-blk,iodepth=1', 'ok'],
        ['backend=virtio-blk,iodepth=8', 'ok'],
        ['backend=virtio-scsi,iodepth=1', 'missing'],
        ['backend=nvme,iodepth=1', 'missing'],
      ],
    );
    const [, , ma, mb] = rows;
    assert.ok(ma?.status === 'missing' && ma.missingFrom === 'b' && ma.a?.n === 3 && ma.b === null);
    assert.ok(mb?.status === 'missing' && mb.missingFrom === 'a' && mb.a === null);
  });

  it('a 20 % shift is significant, with delta ≈ +20 % and a CI around it', () => {
    const r = ok(rows[0]);
    assert.equal(r.significant, true);
    assert.equal(r.marker, '');
    assert.equal(r.method, 'exact');
    assert.ok(r.p < 0.001);
    assert.ok(Math.abs(r.deltaPct - 20) < 2, String(r.deltaPct));
    assert.ok(r.deltaCi && r.deltaCi.low < r.deltaPct && r.deltaPct < r.deltaCi.high);
    assert.ok(r.deltaCi && r.deltaCi.low > 15 && r.deltaCi.high < 25);
  });

  it('identical data is marked ~ (benchstat convention)', () => {
    const r = ok(rows[1]);
    assert.equal(r.significant, false);
    assert.equal(r.marker, '~');
    assert.equal(r.p, 1);
    assert.equal(r.deltaPct, 0);
  });

  it('is deterministic for a seed', () => {
    assert.deepEqual(compareSets(a, b, { metric: 'iops', alpha: 0.05, seed: 1 }), rows);
    const other = compareSets(a, b, { metric: 'iops', alpha: 0.05, seed: 2 });
    assert.notDeepEqual(ok(other[0]).deltaCi, ok(rows[0]).deltaCi);
  });
});

describe('compareSets with failed cells', () => {
  it('a cell whose samples all failed on one side is a missing row on that side', () => {
    const cell = { backend: 'virtio-blk', iodepth: 1 };
    const good = makeRuns(cell, 'iops', [1, 2, 3]);
    const failed = good.map((s) => ({ ...s, status: 'failed' as const, metrics: {} }));
    const [row] = compareSets(good, failed, { metric: 'iops', alpha: 0.05, seed: 1 });
    assert.ok(row?.status === 'missing' && row.missingFrom === 'b' && row.a?.n === 3 && row.b === null);
  });
});
