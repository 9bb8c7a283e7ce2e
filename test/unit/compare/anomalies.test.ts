import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findAnomalies } from '../../../src/compare/anomalies.js';
import { mulberry32 } from '../../../src/util/prng.js';
import { makeRuns } from '../gate/sample-factory.js';
import { normalSample } from '../stats/random-data.js';

const cell = (backend: string, iodepth: number) => ({ backend, cache: 'none', iodepth });

describe('findAnomalies', () => {
  const rng = mulberry32(2011);
  // The 2011 qemu-devel report: ~13K IOPS at iodepth 1, ~3.5K at iodepth 3.
  const broken = [
    ...makeRuns(cell('virtio-blk', 1), 'iops', normalSample(rng, 8, 13_000, 200)),
    ...makeRuns(cell('virtio-blk', 2), 'iops', normalSample(rng, 8, 12_900, 200)),
    ...makeRuns(cell('virtio-blk', 3), 'iops', normalSample(rng, 8, 3_500, 100)),
  ];
  const healthy = [
    ...makeRuns(cell('nvme', 1), 'iops', normalSample(rng, 8, 13_000, 200)),
    ...makeRuns(cell('nvme', 4), 'iops', normalSample(rng, 8, 40_000, 400)),
    ...makeRuns(cell('nvme', 16), 'iops', normalSample(rng, 8, 39_500, 400)), // plateau, -1 %: not a drop
  ];

  it('flags a significant fall of IOPS with rising iodepth, against the best shallower depth', () => {
    const found = findAnomalies([...broken, ...healthy], { alpha: 0.01 });
    const drops = found.filter((a) => a.kind === 'depth-drop');
    assert.equal(drops.length, 1);
    const [d] = drops;
    assert.ok(d?.kind === 'depth-drop');
    assert.equal(d.configKey, 'backend=virtio-blk,cache=none');
    assert.equal(d.shallow.depth, 1);
    assert.equal(d.deep.depth, 3);
    assert.ok(d.dropPct > 70 && d.dropPct < 75, String(d.dropPct));
    assert.ok(d.p < 0.01);
  });

  it('reports bimodal cells', () => {
    const split = makeRuns(
      cell('virtio-scsi', 1),
      'iops',
      [10_000, 12_000, 10_050, 12_100, 9_950, 11_900, 10_020, 12_050],
    );
    const found = findAnomalies(split, { alpha: 0.01 });
    assert.deepEqual(
      found.map((a) => a.kind),
      ['bimodal'],
    );
  });

  it('for lower-is-better metrics a rise is the drop', () => {
    const lat = [
      ...makeRuns(cell('x', 1), 'clat_p99_ns', [100, 101, 102, 103, 104, 105]),
      ...makeRuns(cell('x', 2), 'clat_p99_ns', [150, 151, 152, 153, 154, 155]),
    ];
    const found = findAnomalies(lat, { alpha: 0.05, metric: 'clat_p99_ns' });
    assert.equal(found.length, 1);
    assert.ok(found[0]?.kind === 'depth-drop' && Math.abs(found[0].dropPct - (50 / 102.5) * 100) < 1e-9);
  });

  it('a drop exactly at minDropPct is not flagged, whichever way the float rounds (stats/min-effect.ts)', () => {
    // (1000.2 − 900.18)/1000.2·100 computes as 10.000000000000009 %; the exact drop is 10 %.
    const drop = (deep: number) => [
      ...makeRuns(cell('edge', 1), 'iops', Array(6).fill(1000.2)),
      ...makeRuns(cell('edge', 4), 'iops', Array(6).fill(deep)),
    ];
    assert.deepEqual(findAnomalies(drop(900.18), { alpha: 0.01 }), []);
    const beyond = findAnomalies(drop(900.1), { alpha: 0.01 });
    assert.equal(beyond.length, 1);
    assert.ok(beyond[0]?.kind === 'depth-drop' && beyond[0].method === 'exact-ties');
  });
});
