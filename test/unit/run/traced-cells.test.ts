/**
 * When a traced cell gets its traced pass (src/run/traced-cells.ts): once,
 * after its last measured repetition — the last planned round with fixed
 * repetitions; with `repetitions: auto` (the real round policy,
 * src/gate/adaptive-rounds.ts) the round after which the rule stops it, in
 * the boot that measured it when the stop is known there, else in one boot
 * of its group after the rounds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adaptiveRounds } from '../../../src/gate/adaptive-rounds.js';
import type { RoundRecord } from '../../../src/run/run-plan.js';
import type { Cell } from '../../../src/plan/cells.js';
import { cellsToTraceAfterRounds, cellsToTraceNow, type TraceChoice } from '../../../src/run/traced-cells.js';

const cellOf = (ioeventfd: string, iodepth = 1): Cell => {
  const values = { ioeventfd, iodepth };
  return { key: `ioeventfd=${ioeventfd},iodepth=${iodepth}`, values, requested: values, options: {}, notices: [] };
};
const ON = cellOf('on');
const OFF = cellOf('off');
/** ioeventfd on and off boot apart: two groups, visited on then off every round. */
const GROUPS = [
  { id: 'g1', cells: [ON] },
  { id: 'g2', cells: [OFF] },
];
const spec = { compare: { axis: 'ioeventfd', baseline: 'on' }, metrics: ['iops'], min_effect: 5, alpha: 0.05 };

const sample = (cellKey: string, r: number, factor: number): RoundRecord => ({
  cellKey,
  repetition: r,
  status: 'ok',
  metrics: { iops: { value: 1000 * factor * (1 + ((r * 7) % 11) / 500 - 0.01), unit: 'IO/s', better: 'higher' } },
});

const traceNow = (measured: { round: number; cell: Cell }[], choice: Partial<TraceChoice> = {}) =>
  cellsToTraceNow(measured, { plannedRounds: 3, traced: new Set(), ...choice }).map((c) => c.key);

describe('traced cells: once, after the last measured repetition', () => {
  it('fixed repetitions: the cells whose last planned round the boot measured, each once', () => {
    assert.deepEqual(traceNow([{ round: 1, cell: ON }]), []);
    assert.deepEqual(
      traceNow([
        { round: 1, cell: ON },
        { round: 2, cell: ON },
        { round: 2, cell: OFF },
      ]),
      [ON.key, OFF.key],
    );
    assert.deepEqual(traceNow([{ round: 2, cell: ON }], { traced: new Set([ON.key]) }), [], 'never twice');
  });

  it('auto: a cell the rule stops early is traced in the boot that measured its last round when the stop is known there, else after the rounds', () => {
    const policy = adaptiveRounds({ ...spec, min: 6, max: 12, looks: 2 }, [ON, OFF]);
    const stored: RoundRecord[] = [];
    const traced = new Set<string>();
    const choice = (): TraceChoice => ({
      plannedRounds: 12,
      traced,
      measuredAgain: (key, round) => policy.cellsFor(round + 1, stored)?.has(key) ?? false,
    });
    const inBoot: string[][] = [];
    for (let round = 0; policy.cellsFor(round, stored) !== null; round++) {
      for (const [cell, factor] of [
        [ON, 1],
        [OFF, 1.5],
      ] as const) {
        stored.push(sample(cell.key, round, factor));
        const now = cellsToTraceNow([{ round, cell }], choice()).map((c) => c.key);
        now.forEach((k) => traced.add(k));
        inBoot.push(now);
      }
    }
    // +50 %: decided at the first look (6 rounds), known only once OFF (visited second) has its 6th round.
    assert.equal(stored.length, 12);
    assert.deepEqual(inBoot.flat(), [OFF.key]);
    assert.deepEqual(inBoot.at(-1), [OFF.key], 'in the boot of its last round');
    const after = cellsToTraceAfterRounds(GROUPS, {
      measured: new Set([ON.key, OFF.key]),
      traced,
      hasTrace: () => false,
    });
    assert.deepEqual(
      after.map((g) => [g.groupId, g.cells.map((c) => c.key)]),
      [['g1', [ON.key]]],
    );
  });

  it('auto: the maximum and a spent budget make the round just measured the last one', () => {
    let clock = 0;
    const policy = adaptiveRounds({ ...spec, min: 6, max: 6, looks: 1, budget: 60 }, [ON, OFF], () => clock);
    const stored = [0, 1].flatMap((r) => [sample(ON.key, r, 1), sample(OFF.key, r, 1.02)]);
    const choice: TraceChoice = {
      plannedRounds: 6,
      traced: new Set(),
      measuredAgain: (key, round) => policy.cellsFor(round + 1, stored)?.has(key) ?? false,
    };
    assert.deepEqual(cellsToTraceNow([{ round: 1, cell: ON }], choice), [], 'rounds remain');
    clock = 61_000;
    assert.deepEqual(
      cellsToTraceNow([{ round: 1, cell: ON }], choice).map((c) => c.key),
      [ON.key],
      'the budget is spent',
    );
    assert.deepEqual(
      cellsToTraceNow([{ round: 5, cell: OFF }], { ...choice, measuredAgain: () => true }).map((c) => c.key),
      [OFF.key],
      'the maximum',
    );
  });

  it('after the rounds: only cells measured this session, not traced, without a trace from an earlier session', () => {
    const after = cellsToTraceAfterRounds(GROUPS, {
      measured: new Set([ON.key, OFF.key]),
      traced: new Set(),
      hasTrace: (key) => key === OFF.key,
    });
    assert.deepEqual(
      after.map((g) => g.groupId),
      ['g1'],
    );
    assert.deepEqual(
      cellsToTraceAfterRounds(GROUPS, {
        measured: new Set([OFF.key]),
        traced: new Set([OFF.key]),
        hasTrace: () => false,
      }),
      [],
    );
  });
});
