import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateGate } from '../../../src/gate/evaluate.js';
import { mergeConfirmation, regressedCellKeys } from '../../../src/gate/confirm.js';
import { toJUnit } from '../../../src/report/export/gate-junit.js';
import { gateHeadline } from '../../../src/report/gate-headline.js';
import { makeRunsMulti } from './sample-factory.js';
import type { CellValues } from '../../../src/model/sample.js';

const a = { iodepth: 1 };
const b = { iodepth: 4 };
const metrics = [{ name: 'iops', minEffectPct: 5 }];
const same = (cell: CellValues, level: number) =>
  makeRunsMulti(cell, { iops: [0, 1, 2, 3, 4, 5, 6].map((i) => level + i) });

describe('gate --confirm', () => {
  const baseline = [...same(a, 1000), ...same(b, 2000)];
  const first = evaluateGate(baseline, [...same(a, 500), ...same(b, 2000)], { metrics });

  it('re-runs only the regressed cells', () => {
    assert.equal(first.verdict, 'regression');
    assert.deepEqual(regressedCellKeys(first), ['iodepth=1']);
  });

  it('a regression that the re-run shows again stays a regression', () => {
    const rerun = evaluateGate(same(a, 1000), same(a, 480), { metrics });
    const merged = mergeConfirmation(first, rerun);
    assert.equal(merged.verdict, 'regression');
    assert.match(merged.cells[0]!.reason, /^confirmed by a re-run/);
  });

  it('a regression the re-run does not show passes; one the re-run cannot judge is inconclusive', () => {
    const passed = mergeConfirmation(first, evaluateGate(same(a, 1000), same(a, 1001), { metrics }));
    assert.equal(passed.verdict, 'pass');
    assert.match(passed.cells[0]!.reason, /^not confirmed: the re-run shows pass/);
    const tooFew = mergeConfirmation(first, evaluateGate(same(a, 1000), same(a, 480).slice(0, 2), { metrics }));
    assert.equal(tooFew.verdict, 'inconclusive');
    assert.deepEqual(
      tooFew.inconclusive.map((r) => r.kind),
      ['unconfirmed'],
      'the re-run could not judge it: not a sample shortage of the first run',
    );
    assert.match(
      gateHeadline(tooFew).why,
      /^the confirmation re-run could not judge 1 cell\(s\): iops @ iodepth=1 \(not confirmed: the re-run is inconclusive \(n = 7 vs 2/,
    );
    assert.equal(mergeConfirmation(first, { ...first, cells: [] }).verdict, 'inconclusive');
    const env = [{ path: 'qemu.version', text: 'qemu.version: 1 → 2' }];
    const moved = mergeConfirmation(first, evaluateGate(same(a, 1000), same(a, 480), { metrics }), env);
    assert.equal(moved.verdict, 'inconclusive');
    assert.deepEqual(moved.inconclusive[0], { kind: 'environment', differences: env });
  });
});

describe('incomplete data', () => {
  it('turns a pass into inconclusive, lets a measured regression stand, and gets its own JUnit testcase', () => {
    const incomplete = [
      {
        role: 'current run',
        label: 'r1',
        path: 'results/r1',
        kind: 'run' as const,
        status: 'incomplete',
        stopReason: 'interrupted by SIGINT',
        samples: 7,
        planned: 14,
      },
    ];
    const pass = evaluateGate(same(a, 1000), same(a, 1001), { metrics, incomplete });
    assert.equal(pass.verdict, 'inconclusive');
    assert.ok(
      pass.reasons.includes(
        'incomplete: the current run r1 is incomplete (interrupted by SIGINT): 7 of 14 planned samples',
      ),
    );
    assert.match(
      toJUnit(pass),
      /<testcase classname="gate" name="completeness">\n\s+<skipped message="the current run r1 is incomplete \(interrupted by SIGINT\): 7 of 14 planned samples\. Hint: complete r1 with `vblk-bench run --resume results\/r1`"\/>/,
    );
    const regression = evaluateGate(same(a, 1000), same(a, 500), { metrics, incomplete });
    assert.equal(regression.verdict, 'regression');
    // A regression that a re-run does not confirm leaves the data still incomplete: inconclusive, not pass.
    const unconfirmed = mergeConfirmation(regression, evaluateGate(same(a, 1000), same(a, 1001), { metrics }));
    assert.equal(unconfirmed.verdict, 'inconclusive');
    assert.equal(unconfirmed.inconclusive[0]?.kind, 'incomplete');
  });
});
