import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adaptiveRounds, declaredComparisons } from '../../../src/gate/adaptive-rounds.js';
import { InputError } from '../../../src/model/errors.js';
import type { RoundRecord } from '../../../src/run/run-plan.js';
import { plannedSlots } from '../../../src/store/completeness.js';
import { stoppedRounds } from '../../../src/store/run-reader.js';

const cells = [1, 8, 16].map((qd) => ({ key: `ioeventfd=on,iodepth=${qd}`, values: { ioeventfd: 'on', iodepth: qd } }));
const spec = {
  compare: { axis: 'iodepth', baseline: 1 },
  metrics: ['iops'],
  min_effect: 5,
  alpha: 0.05,
  min: 6,
  max: 12,
  looks: 2,
};
/** Round `r` of a cell: 1000·factor with ±1 % spread (no ties). */
const sample = (cellKey: string, r: number, factor: number): RoundRecord => ({
  cellKey,
  repetition: r,
  status: 'ok',
  metrics: { iops: { value: 1000 * factor * (1 + ((r * 7) % 11) / 500 - 0.01), unit: 'IO/s', better: 'higher' } },
});

describe('adaptive rounds: the policy the run loop asks', () => {
  it('declares each non-baseline value against its baseline cell, per metric', () => {
    assert.deepEqual(
      declaredComparisons(cells, { ...spec, metrics: ['iops', 'clat_p99_ns'] }).map((c) => `${c.cellKey}|${c.metric}`),
      [
        'ioeventfd=on,iodepth=8|iops',
        'ioeventfd=on,iodepth=8|clat_p99_ns',
        'ioeventfd=on,iodepth=16|iops',
        'ioeventfd=on,iodepth=16|clat_p99_ns',
      ],
    );
    assert.throws(
      () => adaptiveRounds({ ...spec, compare: { axis: 'iodepth', baseline: 4 } }, cells),
      (e: unknown) => e instanceof InputError && /no cell of this plan has a iodepth=4/.test(e.message),
    );
  });

  it('every cell until the first look; then only the cells of open comparisons; null at the maximum', () => {
    const policy = adaptiveRounds(spec, cells);
    const stored: RoundRecord[] = [];
    for (let r = 0; r < 6; r++) {
      assert.equal(policy.cellsFor(r, stored)?.size, 3, `round ${r}`);
      stored.push(sample(cells[0]!.key, r, 1), sample(cells[1]!.key, r, 1.5), sample(cells[2]!.key, r, 1.045));
    }
    // At 6: qd8 is +50 % (different); qd16 +4.5 %, significant but not beyond ±5 % (grey zone) → qd1 and qd16 go on.
    assert.deepEqual([...policy.cellsFor(6, stored)!].sort(), [cells[0]!.key, cells[2]!.key].sort());
    for (let r = 6; r < 12; r++) stored.push(sample(cells[0]!.key, r, 1), sample(cells[2]!.key, r, 1.045));
    assert.equal(policy.cellsFor(12, stored), null, 'the maximum');
    const record = policy.record(stored, true);
    assert.deepEqual(
      record.comparisons.map((c) => [c.cellKey, c.decision, c.rounds]),
      [
        [cells[1]!.key, 'different', 6],
        [cells[2]!.key, 'undecided', 12],
      ],
    );
    assert.match(record.comparisons[1]!.reason, /undecided at the maximum \(12 rounds\), grey zone: significant/);
    assert.equal(record.stop, 'max');
    assert.deepEqual(
      record.cells.map((c) => c.rounds),
      [12, 6, 12],
    );
    assert.equal(policy.record(stored, false).stop, 'interrupted');
  });

  it('the time budget ends the rounds; open comparisons are undecided, saying so', () => {
    let now = 0;
    const policy = adaptiveRounds({ ...spec, budget: 60 }, cells, () => now);
    const stored: RoundRecord[] = [];
    for (let r = 0; r < 3; r++) stored.push(...cells.map((c) => sample(c.key, r, 1)));
    assert.ok(policy.cellsFor(3, stored));
    now = 61_000;
    assert.equal(policy.cellsFor(3, stored), null);
    const record = policy.record(stored, true);
    assert.equal(record.stop, 'budget');
    assert.ok(record.comparisons.every((c) => c.decision === 'undecided' && /time budget/.test(c.reason)));
  });

  it('completeness: a stopped auto run plans each cell up to where the rule stopped it; an interrupted one its maximum', () => {
    const plan = {
      profileName: 'p',
      accel: 'tcg' as const,
      groups: [
        {
          id: 'g1',
          key: 'ioeventfd=on',
          boot: {},
          options: {},
          cells: cells.map((c) => ({ ...c, requested: c.values, options: {}, notices: [] })),
        },
      ],
      pruned: [],
      visits: Array.from({ length: 12 }, (_, r) => ({ round: r, groupId: 'g1', rounds: [r] })),
      sampleCount: 36,
    };
    const record = {
      kind: 'vblk-bench adaptive repetitions' as const,
      stop: 'decided' as const,
      cells: [
        { cellKey: cells[0]!.key, rounds: 12 },
        { cellKey: cells[1]!.key, rounds: 6 },
        { cellKey: cells[2]!.key, rounds: 12 },
      ],
    };
    assert.equal(plannedSlots(plan, stoppedRounds(record as never)).length, 30);
    assert.equal(plannedSlots(plan, stoppedRounds({ ...record, stop: 'interrupted' } as never)).length, 36);
  });
});
