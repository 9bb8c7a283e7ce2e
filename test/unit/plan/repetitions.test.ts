import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateProfile, parseYaml } from '../../../src/profile/load.js';
import { makePlan } from '../../../src/plan/plan.js';
import { visitMeasurements } from '../../../src/plan/schedule.js';
import { InputError } from '../../../src/model/errors.js';

const profile = (extra: string) =>
  validateProfile(parseYaml(`repetitions: 3\n${extra}\nmatrix:\n  ioeventfd: [on, off]\n  iodepth: [1, 4]\n`), 'p');

test('reboot_per_repetition defaults to true: one boot per group per round, rounds interleaved (A B A B A B)', () => {
  const plan = makePlan(profile(''), 'tcg');
  assert.equal(plan.rebootPerRepetition, true);
  assert.deepEqual(
    plan.visits.map((v) => `${v.groupId}:${v.rounds.join('+')}`),
    ['g1:0', 'g2:0', 'g1:1', 'g2:1', 'g1:2', 'g2:2'],
  );
});

test('reboot_per_repetition: false boots each group once for all its repetitions, cells interleaved inside the boot', () => {
  const plan = makePlan(profile('reboot_per_repetition: false'), 'tcg');
  assert.equal(plan.rebootPerRepetition, false);
  assert.deepEqual(
    plan.visits.map((v) => `${v.groupId}:${v.rounds.join('+')}`),
    ['g1:0+1+2', 'g2:0+1+2'],
  );
  assert.equal(plan.sampleCount, 12);
  const group = plan.groups[0]!;
  const order = visitMeasurements(plan.visits[0]!, group.cells).map(
    ({ round, cell }) => `r${round}/${cell.values.iodepth}`,
  );
  assert.deepEqual(order, ['r0/1', 'r0/4', 'r1/1', 'r1/4', 'r2/1', 'r2/4']);
  assert.ok(plan.estimate.bootSeconds < makePlan(profile(''), 'tcg').estimate.bootSeconds, 'fewer boots are estimated');
});

test('random order without reboots shuffles the groups once, with the recorded seed', () => {
  const plan = makePlan(profile('reboot_per_repetition: false\norder: random\nseed: 3'), 'tcg');
  assert.equal(plan.visits.length, 2);
  assert.deepEqual(new Set(plan.visits.map((v) => v.groupId)), new Set(['g1', 'g2']));
});

test('--only-cell restricts the plan to the named cells and records the filter', () => {
  const key = 'backend=virtio-blk,ioeventfd=off,scheduler=none,iodepth=4';
  const plan = makePlan(profile(''), 'tcg', { onlyCells: [key] });
  assert.deepEqual(plan.cellFilter, [key]);
  assert.deepEqual(
    plan.groups.map((g) => g.cells.map((c) => c.key)),
    [[key]],
  );
  assert.equal(plan.sampleCount, 3);
  assert.equal(makePlan(profile(''), 'tcg').cellFilter, null);
});

test('an --only-cell key that is not a runnable cell is bad input naming the cells', () => {
  assert.throws(
    () => makePlan(profile(''), 'tcg', { onlyCells: ['iodepth=4'] }),
    (err: unknown) =>
      err instanceof InputError && /--only-cell iodepth=4: not a cell of this profile/.test(err.message),
  );
});
