import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareWithinRun } from '../../../src/compare/within-run.js';
import { makeRuns } from '../gate/sample-factory.js';

const cell = (ioeventfd: string, scheduler: string, iodepth: number) => ({
  backend: 'virtio-blk',
  ioeventfd,
  scheduler,
  iodepth,
});
const low = [100, 101, 102, 103, 104, 105, 106, 107];
const high = low.map((x) => x * 1.3);

describe('compareWithinRun (--by AXIS)', () => {
  const samples = [
    ...makeRuns(cell('on', 'none', 1), 'iops', high),
    ...makeRuns(cell('off', 'none', 1), 'iops', low),
    ...makeRuns(cell('on', 'bfq', 1), 'iops', low),
    ...makeRuns(cell('off', 'bfq', 1), 'iops', [...low].reverse()),
    ...makeRuns(cell('off', 'mq-deadline', 1), 'iops', low), // no `on` partner
  ];
  const rows = compareWithinRun(samples, { axis: 'ioeventfd', baseline: 'on', metric: 'iops', alpha: 0.05 });

  it('pairs each non-baseline cell with the baseline cell equal on every other axis', () => {
    assert.deepEqual(
      rows.map((r) => [r.baselineKey, r.cellKey, r.status]),
      [
        [
          'backend=virtio-blk,ioeventfd=on,scheduler=none,iodepth=1',
          'backend=virtio-blk,ioeventfd=off,scheduler=none,iodepth=1',
          'ok',
        ],
        [
          'backend=virtio-blk,ioeventfd=on,scheduler=bfq,iodepth=1',
          'backend=virtio-blk,ioeventfd=off,scheduler=bfq,iodepth=1',
          'ok',
        ],
        [
          'backend=virtio-blk,ioeventfd=on,scheduler=mq-deadline,iodepth=1',
          'backend=virtio-blk,ioeventfd=off,scheduler=mq-deadline,iodepth=1',
          'missing',
        ],
      ],
    );
  });

  it('B is the variant, A the baseline: off is 23 % slower where it matters, equal elsewhere', () => {
    const [none, bfq, deadline] = rows;
    assert.ok(none?.status === 'ok' && none.significant && Math.abs(none.deltaPct - (1 / 1.3 - 1) * 100) < 1e-9);
    assert.ok(bfq?.status === 'ok' && !bfq.significant && bfq.marker === '~');
    assert.ok(deadline?.status === 'missing' && deadline.missingFrom === 'a');
  });

  it('a numeric baseline matches numeric axis values', () => {
    const byDepth = compareWithinRun(
      [...makeRuns(cell('on', 'none', 1), 'iops', low), ...makeRuns(cell('on', 'none', 4), 'iops', high)],
      { axis: 'iodepth', baseline: 1, metric: 'iops', alpha: 0.05 },
    );
    assert.equal(byDepth.length, 1);
    assert.equal(byDepth[0]?.status, 'ok');
  });
});
