/**
 * The gate at the minimum effect (issue 10): a change exactly at it passes as
 * "within", both when rounding makes it look larger and when it makes it look
 * smaller. Each side all tied, 6 vs 6: the exact p is 2/C(12,6) = 0.00216 < α = 0.01
 * (one test), so the decision rests on the size of the change alone.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateGate } from '../../../src/gate/evaluate.js';
import type { GateCell } from '../../../src/gate/types.js';
import { makeRuns } from './sample-factory.js';

const cell = { backend: 'virtio-blk', iodepth: 1 };

function judged(metric: string, baseline: number, current: number, minEffectPct: number): GateCell {
  const r = evaluateGate(
    makeRuns(cell, metric, Array(6).fill(baseline)),
    makeRuns(cell, metric, Array(6).fill(current)),
    {
      metrics: [{ name: metric, minEffectPct }],
    },
  );
  const [c] = r.cells;
  assert.ok(c && c.p !== null && c.adjustedP !== null);
  assert.equal(c.method, 'exact-ties');
  assert.ok(Math.abs(c.p - 2 / 924) < 1e-15, String(c.p));
  return c;
}

describe('gate: a change exactly at the minimum effect is within it', () => {
  it('IOPS 10000 → 9500 at 5 % (computed −5.000000000000004 %): pass, within; 9499 regresses', () => {
    const at = judged('iops', 10000, 9500, 5);
    assert.equal(at.deltaPct, -5.000000000000004);
    assert.equal(at.status, 'pass');
    assert.match(at.reason, /within the 5 % minimum effect/);
    assert.equal(judged('iops', 10000, 9499, 5).status, 'regression');
  });

  it('IOPS −10 % at --min-effect iops=10 (computed −9.999999999999998 %): pass, within — the same rule; 8999 regresses', () => {
    const at = judged('iops', 10000, 9000, 10);
    assert.equal(at.deltaPct, -9.999999999999998);
    assert.equal(at.status, 'pass');
    assert.match(at.reason, /within the 10 % minimum effect/);
    assert.equal(judged('iops', 10000, 8999, 10).status, 'regression');
  });

  it('lower-is-better p99 1000 → 1050 ns at 5 % (computed +5.000000000000004 %): pass; 1051 regresses', () => {
    assert.equal(judged('clat_p99_ns', 1000, 1050, 5).status, 'pass');
    assert.equal(judged('clat_p99_ns', 1000, 1051, 5).status, 'regression');
  });

  it('the better direction too: IOPS +5 % at 5 % is within, not an improvement; +5.01 % is', () => {
    assert.equal(judged('iops', 10000, 10500, 5).status, 'pass');
    assert.equal(judged('iops', 10000, 10501, 5).status, 'improvement');
  });
});
