/**
 * A cell the plan pruned as unsupported has one `unsupported` record that is
 * not a planned measurement: readers keep it (reports show the cell as
 * unsupported) without counting it as planned; any other unplanned record is
 * still skipped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admitSamples } from '../../../src/store/admit-samples.js';
import { unsupportedCellKeys } from '../../../src/store/completeness.js';
import type { StoredPlan } from '../../../src/model/schemas/plan.js';
import { makeSample } from '../gate/sample-factory.js';

const vhostBlk = { backend: 'vhost-blk', iodepth: 1 };
const plan = {
  pruned: [
    { cell: { key: 'backend=vhost-blk,iodepth=1' }, status: 'unsupported', reason: 'no vhost-blk' },
    {
      cell: { key: 'backend=virtio-blk-iothread,ioeventfd=off' },
      status: 'impossible',
      reason: 'ioeventfd is required',
    },
  ],
} as unknown as StoredPlan;

test('the unsupported record of a pruned cell is admitted, not planned; other unplanned records are skipped', () => {
  assert.deepEqual([...unsupportedCellKeys(plan)], ['backend=vhost-blk,iodepth=1']);
  assert.deepEqual(
    [...unsupportedCellKeys({ merged: true, sources: [{ dir: 'a', plan }] })],
    ['backend=vhost-blk,iodepth=1'],
    'merged plans too',
  );
  const measured = makeSample({ backend: 'virtio-blk', iodepth: 1 }, { iops: 5 });
  const unsupported = {
    ...makeSample(vhostBlk, {}),
    status: 'unsupported' as const,
    reason: 'no vhost-blk',
    failureKind: 'CellUnsupported' as const,
    metrics: {},
  };
  const stray = {
    ...makeSample({ backend: 'virtio-blk', iodepth: 9 }, {}),
    status: 'unsupported' as const,
    metrics: {},
  };
  const planned = [{ cellKey: measured.cellKey, repetition: 0 }];
  const admitted = admitSamples(
    [measured, unsupported, stray].map((sample, i) => ({ file: `samples/${i}.json`, sample })),
    planned,
    { complete: true, manifestFile: 'run.json' },
    unsupportedCellKeys(plan),
  );
  assert.deepEqual(
    admitted.samples.map((s) => s.cellKey),
    [measured.cellKey, unsupported.cellKey],
  );
  assert.deepEqual(
    admitted.diagnostics.map((d) => d.kind),
    ['UnplannedSample'],
    'the stray record is still skipped',
  );
  assert.equal(admitted.completeness.planned, 1, 'the unsupported record is not a planned measurement');
  assert.deepEqual(admitted.completeness.missing, []);
});
