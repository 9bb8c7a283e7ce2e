import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateProfile, parseYaml } from '../../../src/profile/load.js';
import { makePlan } from '../../../src/plan/plan.js';
import { expandMatrix } from '../../../src/plan/cells.js';
import { InputError } from '../../../src/model/errors.js';

const profile = (yaml: string) => validateProfile(parseYaml(yaml), 'p');

const SEED = profile(`
matrix:
  ioeventfd: [on, off]
  backend: [virtio-blk, virtio-blk-iothread]
  scheduler: [cfq, deadline, noop]
  iodepth: [1, 2, 3, 4, 8, 16]
`);

test('expansion is the cartesian product in canonical axis order', () => {
  const cells = expandMatrix(SEED);
  assert.equal(cells.length, 2 * 2 * 3 * 6);
  assert.equal(cells[0]!.key, 'backend=virtio-blk,ioeventfd=on,scheduler=bfq,iodepth=1');
  assert.equal(new Set(cells.map((c) => c.key)).size, cells.length);
});

test('legacy scheduler names map to blk-mq ones, the requested name kept beside', () => {
  const cell = expandMatrix(SEED)[0]!;
  assert.equal(cell.values.scheduler, 'bfq');
  assert.equal(cell.requested.scheduler, 'cfq');
  assert.equal(cell.notices.length, 1);
  assert.match(cell.notices[0]!, /cfq/);
});

test("ioeventfd=off with an iothread is pruned at plan time with QEMU's reason", () => {
  const plan = makePlan(SEED, 'tcg');
  assert.equal(plan.pruned.length, 3 * 6);
  for (const p of plan.pruned) {
    assert.equal(p.cell.values.backend, 'virtio-blk-iothread');
    assert.equal(p.cell.values.ioeventfd, 'off');
    assert.equal(p.status, 'impossible');
    assert.match(p.reason, /ioeventfd is required for iothread/);
  }
});

test('one boot serves every scheduler × iodepth cell of a QEMU configuration', () => {
  const plan = makePlan(SEED, 'tcg');
  assert.deepEqual(
    plan.groups.map((g) => g.key),
    ['backend=virtio-blk,ioeventfd=on', 'backend=virtio-blk,ioeventfd=off', 'backend=virtio-blk-iothread,ioeventfd=on'],
  );
  for (const g of plan.groups) assert.equal(g.cells.length, 3 * 6);
  assert.equal(plan.visits.length, 3);
  assert.equal(plan.sampleCount, 3 * 18);
});

test('cells within a group change the scheduler as rarely as possible', () => {
  const group = makePlan(SEED, 'tcg').groups[0]!;
  const schedulers = group.cells.map((c) => c.values.scheduler);
  const changes = schedulers.filter((s, i) => i > 0 && s !== schedulers[i - 1]).length;
  assert.equal(changes, 2);
});

test('repetitions are interleaved: each round visits every group once', () => {
  const p = profile('repetitions: 3\nmatrix: {ioeventfd: [on, off], iodepth: [1]}');
  const plan = makePlan(p, 'tcg');
  assert.deepEqual(
    plan.visits.map((v) => `${v.round}:${v.groupId}`),
    ['0:g1', '0:g2', '1:g1', '1:g2', '2:g1', '2:g2'],
  );
});

test('random order is seeded: same seed, same order; every round still complete', () => {
  const yaml = (seed: number) =>
    `repetitions: 4\norder: random\nseed: ${seed}\nmatrix: {ioeventfd: [on, off], backend: [virtio-blk, virtio-blk-iothread], iodepth: [1]}`;
  const a = makePlan(profile(yaml(7)), 'tcg').visits;
  const b = makePlan(profile(yaml(7)), 'tcg').visits;
  assert.deepEqual(a, b);
  for (let r = 0; r < 4; r++)
    assert.deepEqual(
      a
        .filter((v) => v.round === r)
        .map((v) => v.groupId)
        .sort(),
      ['g1', 'g2', 'g3'],
    );
  const orders = new Set([1, 2, 3, 4, 5].map((s) => JSON.stringify(makePlan(profile(yaml(s)), 'tcg').visits)));
  assert.ok(orders.size > 1, 'different seeds should give different orders');
});

test('the estimate counts boots, fio windows and overhead', () => {
  const p = profile('fio: {runtime: 3, ramp_time: 1}\nmatrix: {ioeventfd: [on, off], iodepth: [1, 4]}');
  const tcg = makePlan(p, 'tcg').estimate;
  const kvm = makePlan(p, 'kvm').estimate;
  assert.equal(tcg.fioSeconds, 4 * 4);
  assert.ok(tcg.bootSeconds > kvm.bootSeconds);
  assert.equal(tcg.totalSeconds, tcg.bootSeconds + tcg.fioSeconds + tcg.overheadSeconds);
});

test('a matrix over 100 000 cells is refused before expansion, naming the count and the longest axes', () => {
  const values = (n: number, from = 1) => `[${Array.from({ length: n }, (_, i) => i + from).join(', ')}]`;
  // 64⁴ = 16.7 M cells: this once ran V8 out of memory; now it is one line, at once.
  const huge = profile(
    `matrix:\n  iodepth: ${values(64)}\n  numjobs: ${values(64)}\n  num_queues: ${values(64)}\n  bs: [${Array.from({ length: 64 }, (_, i) => `"${i + 1}k"`).join(', ')}]\n`,
  );
  assert.throws(
    () => makePlan(huge, 'tcg'),
    (e: unknown) =>
      e instanceof InputError &&
      /^matrix: 16777216 cells, more than the 100000 allowed; the longest axes: \w+ \(64 values\), \w+ \(64 values\), \w+ \(64 values\)$/.test(
        e.message,
      ),
  );
  const reps = profile(`repetitions: 1000\nmatrix:\n  iodepth: ${values(64)}\n  numjobs: ${values(32)}\n`);
  assert.throws(
    () => makePlan(reps, 'tcg'),
    /matrix: 2048000 samples \(cells × repetitions\), more than the 1000000 allowed/,
  );
});
