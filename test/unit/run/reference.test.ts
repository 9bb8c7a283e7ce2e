import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYaml, validateProfile } from '../../../src/profile/load.js';
import { makePlan } from '../../../src/plan/plan.js';
import { referenceJobs } from '../../../src/run/reference.js';
import { buildIopsMatrix } from '../../../src/report/iops-matrix.js';
import { buildReferenceRatios, formatRatio, renderReferenceTable } from '../../../src/report/reference-table.js';
import type { ReferenceRecord } from '../../../src/store/reference-store.js';
import type { Sample } from '../../../src/model/sample.js';

const profile = validateProfile(
  parseYaml(
    'reference: host\nfio: {runtime: 2s, ramp_time: 1s}\nmatrix:\n  ioeventfd: [on, off]\n  scheduler: [none, bfq]\n  iodepth: [1, 8]\n',
  ),
  'p',
);

test('one host job per fio-scope cell, whatever the boot and guest axes: the same job, on the backing store', () => {
  const jobs = referenceJobs(profile, makePlan(profile, 'tcg'), '/dev/shm/vblk-bench-1234.raw');
  assert.deepEqual(
    jobs.map((j) => j.fioKey),
    ['iodepth=1', 'iodepth=8'],
  );
  assert.deepEqual(jobs[1]!.argv, [
    'fio',
    '--name=vblk-host',
    '--filename=/dev/shm/vblk-bench-1234.raw',
    '--rw=read',
    '--bs=4k',
    '--ioengine=libaio',
    '--iodepth=8',
    '--direct=1',
    '--runtime=2s',
    '--ramp_time=1s',
    '--time_based',
    '--numjobs=1',
    '--group_reporting',
    '--output-format=json',
    '--readonly',
  ]);
  assert.deepEqual(jobs[0]!.fio, { iodepth: 1 });
});

test('a host path outside the guest allow-list is fine for the host job; a path with a comma or .. is not', () => {
  assert.equal(referenceJobs(profile, makePlan(profile, 'tcg'), '/dev/nvme0n1')[0]!.argv[2], '--filename=/dev/nvme0n1');
  assert.throws(() => referenceJobs(profile, makePlan(profile, 'tcg'), '/data/a,b.raw'), /filename/);
  assert.throws(() => referenceJobs(profile, makePlan(profile, 'tcg'), '/data/../etc/x'), /filename/);
});

function sample(cell: Record<string, string | number>, iops: number): Sample {
  const key = Object.entries(cell)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return {
    schemaVersion: 1,
    cellKey: key,
    cell,
    requested: cell,
    groupId: 'g1',
    bootId: 'b1',
    repetition: 0,
    startedAt: '',
    finishedAt: '',
    status: 'ok',
    accel: 'tcg',
    metrics: { iops: { value: iops, unit: 'IO/s', better: 'higher' } },
    observed: {},
    notices: [],
  };
}
function ref(iodepth: number, iops: number | null): ReferenceRecord {
  return {
    schemaVersion: 1,
    kind: 'host-reference',
    fioKey: `iodepth=${iodepth}`,
    fio: { iodepth },
    target: '/dev/shm/x.raw',
    argv: ['fio'],
    startedAt: '',
    finishedAt: '',
    status: iops === null ? 'failed' : 'ok',
    ...(iops === null ? { reason: 'host fio: boom' } : {}),
    metrics: iops === null ? {} : { iops: { value: iops, unit: 'IO/s', better: 'higher' } },
    notices: [],
  };
}

test('every cell as a fraction of the host figure at its fio cell; above 100 % kept as measured, with a note', () => {
  const samples = [
    sample({ backend: 'virtio-blk', ioeventfd: 'on', iodepth: 1 }, 1000),
    sample({ backend: 'virtio-blk', ioeventfd: 'on', iodepth: 8 }, 3000),
    sample({ backend: 'virtio-blk', ioeventfd: 'off', iodepth: 1 }, 5000),
  ];
  const t = buildReferenceRatios(buildIopsMatrix(samples), [ref(1, 4000), ref(8, 12000)]);
  assert.deepEqual(t.hostRow, [4000, 12000]);
  assert.deepEqual(
    t.rows.map((r) => r.ratios),
    [
      [0.25, 0.25],
      [1.25, null],
    ],
  );
  assert.equal(t.anyAbove100, true);
  const text = renderReferenceTable(t);
  assert.match(
    text,
    /iops as % of host-native \(the same fio job on the host against \/dev\/shm\/x\.raw, before the guests\)/,
  );
  assert.match(text, /25\.0 %/);
  assert.match(text, /125 %/);
  assert.match(text, /values above 100 % are shown as measured/);
});

test('a failed reference leaves its column without ratios and says why', () => {
  const t = buildReferenceRatios(buildIopsMatrix([sample({ backend: 'virtio-blk', iodepth: 1 }, 1000)]), [
    ref(1, null),
  ]);
  assert.deepEqual(t.rows[0]!.ratios, [null]);
  assert.equal(t.anyAbove100, false);
  assert.match(renderReferenceTable(t), /warning: host reference iodepth=1 failed: host fio: boom/);
  assert.equal(formatRatio(null), '—');
  assert.equal(formatRatio(0.00258), '0.258 %');
});
