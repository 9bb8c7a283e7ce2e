import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCodeFor, GIT_BISECT_SKIP } from '../../../src/gate/exit-code.js';
import { evaluateGate } from '../../../src/gate/evaluate.js';
import type { GateCell, GateResult } from '../../../src/gate/types.js';
import { ExitCode } from '../../../src/model/exit-codes.js';
import type { CellValues, Sample } from '../../../src/model/sample.js';
import { normalSample, trialRng } from '../stats/random-data.js';
import { makeRunsMulti, makeSample } from './sample-factory.js';

const shallow = { backend: 'virtio-blk', ioeventfd: 'on', iodepth: 1 };
const deep = { backend: 'virtio-blk', ioeventfd: 'on', iodepth: 32 };

/** n repetitions of a cell: IOPS around `iops`, p99 latency around `p99` (CV ≈ 1 %). */
function measure(cell: CellValues, n: number, iops: number, p99: number, seed: number): Sample[] {
  const rng = trialRng(seed, iops + p99);
  return makeRunsMulti(cell, {
    iops: normalSample(rng, n, iops, iops / 100),
    clat_p99_ns: normalSample(rng, n, p99, p99 / 100),
  });
}

function run(n: number, seed: number, scale: { iops?: number; p99?: number } = {}): Sample[] {
  return [
    ...measure(shallow, n, 13_000 * (scale.iops ?? 1), 200_000 * (scale.p99 ?? 1), seed),
    ...measure(deep, n, 90_000, 900_000, seed + 1),
  ];
}

const env = (path: string, change: string) => ({ path, text: `${path}: ${change}` });
const byStatus = (r: GateResult, status: GateCell['status']) => r.cells.filter((c) => c.status === status);
const codes = (r: GateResult) => [exitCodeFor(r, { bisect: false }), exitCodeFor(r, { bisect: true })];

describe('evaluateGate verdicts', () => {
  it('pass: the same measurements on both sides (p = 1 everywhere), exit 0', () => {
    const base = run(10, 1);
    const r = evaluateGate(base, [...base].reverse(), { seed: 1 });
    assert.equal(r.verdict, 'pass');
    assert.equal(r.tests, 4);
    assert.equal(r.minSamplesNeeded, 6); // α/m = 0.0025 → 2/C(12,6) = 0.00216
    assert.ok(r.cells.every((c) => c.status === 'pass' && c.p === 1 && c.adjustedP === 1));
    assert.deepEqual(codes(r), [ExitCode.Success, ExitCode.Success]);
  });

  it('pass: independent runs of the same distribution never regress (30 seeds)', () => {
    for (let seed = 100; seed < 130; seed++) {
      const r = evaluateGate(run(10, seed), run(10, seed + 1000), { seed });
      assert.equal(r.verdict, 'pass', `seed ${seed}: ${r.reasons.join('; ')}`);
    }
  });

  it('regression: IOPS 20 % lower in one cell, exit 1 (also under bisect)', () => {
    const r = evaluateGate(run(10, 1), run(10, 2, { iops: 0.8 }), { seed: 1 });
    assert.equal(r.verdict, 'regression');
    const [reg] = byStatus(r, 'regression');
    assert.equal(byStatus(r, 'regression').length, 1);
    assert.ok(reg);
    assert.equal(reg.metric, 'iops');
    assert.equal(reg.cellKey, 'backend=virtio-blk,ioeventfd=on,iodepth=1');
    assert.ok(reg.deltaPct !== null && Math.abs(reg.deltaPct + 20) < 2);
    assert.ok(reg.adjustedP !== null && reg.p !== null && reg.adjustedP >= reg.p && reg.adjustedP < 0.01);
    assert.match(r.reasons.join('\n'), /regression: iops @ backend=virtio-blk,ioeventfd=on,iodepth=1/);
    assert.deepEqual(codes(r), [ExitCode.Regression, ExitCode.Regression]);
  });

  it('regression for a lower-is-better metric: p99 latency 20 % higher', () => {
    const r = evaluateGate(run(10, 1), run(10, 2, { p99: 1.2 }), { seed: 1 });
    assert.equal(r.verdict, 'regression');
    assert.deepEqual(
      byStatus(r, 'regression').map((c) => [c.metric, c.better]),
      [['clat_p99_ns', 'lower']],
    );
  });

  it('improvement: IOPS 20 % higher and latency 20 % lower pass, exit 0', () => {
    const r = evaluateGate(run(10, 1), run(10, 2, { iops: 1.2, p99: 0.8 }), { seed: 1 });
    assert.equal(r.verdict, 'pass');
    assert.equal(byStatus(r, 'improvement').length, 2);
    assert.equal(exitCodeFor(r, { bisect: false }), ExitCode.Success);
  });

  it('a significant change inside the minimum effect passes', () => {
    const r = evaluateGate(run(10, 1), run(10, 2, { iops: 0.97 }), { seed: 1 });
    const cell = r.cells.find((c) => c.metric === 'iops' && c.cellKey.endsWith('iodepth=1'));
    assert.ok(cell && cell.adjustedP !== null && cell.adjustedP < 0.01);
    assert.equal(cell.status, 'pass');
    assert.match(cell.reason, /within the 5 % minimum effect/);
    assert.equal(r.verdict, 'pass');
    // …and fails once the minimum effect is below the change.
    const strict = evaluateGate(run(10, 1), run(10, 2, { iops: 0.97 }), {
      seed: 1,
      metrics: [{ name: 'iops', minEffectPct: 1 }],
    });
    assert.equal(strict.verdict, 'regression');
  });

  it('all-equal samples on both sides: p = 1, pass, never a bogus verdict', () => {
    const flat = (cell: CellValues) =>
      makeRunsMulti(cell, { iops: Array(8).fill(5000), clat_p99_ns: Array(8).fill(1e6) });
    const r = evaluateGate([...flat(shallow), ...flat(deep)], [...flat(shallow), ...flat(deep)]);
    assert.equal(r.verdict, 'pass');
    assert.ok(r.cells.every((c) => c.p === 1));
  });
});

describe('evaluateGate: inconclusive, never pass', () => {
  it('too few samples to reach α/m: inconclusive even when the data look alike; exit 3, 125 under bisect', () => {
    const base = run(4, 1);
    const r = evaluateGate(base, [...base].reverse(), { seed: 1 });
    assert.equal(r.verdict, 'inconclusive');
    assert.equal(r.cells.length, 4);
    assert.ok(r.cells.every((c) => c.status === 'inconclusive'));
    assert.match(r.cells[0]?.reason ?? '', /at least 6 repetitions per side/);
    assert.deepEqual(codes(r), [ExitCode.Partial, GIT_BISECT_SKIP]);
  });

  it('the bar accounts for the family: 5 per side suffices for one test at α = 0.01, not for four', () => {
    const one = { metrics: [{ name: 'iops', minEffectPct: 5 }] };
    const onlyShallow = (s: Sample[]) => s.filter((x) => x.cell.iodepth === 1);
    const base = run(5, 1);
    assert.equal(evaluateGate(onlyShallow(base), onlyShallow([...base].reverse()), one).verdict, 'pass');
    assert.equal(evaluateGate(base, [...base].reverse()).verdict, 'inconclusive');
  });

  it('a cell missing on one side', () => {
    const base = run(10, 1);
    const cur = base.filter((s) => s.cell.iodepth !== 32);
    const r = evaluateGate(base, cur, { seed: 1 });
    assert.equal(r.verdict, 'inconclusive');
    assert.deepEqual(
      byStatus(r, 'missing').map((c) => [c.metric, c.reason]),
      [
        ['iops', 'cell not in the current run'],
        ['clat_p99_ns', 'cell not in the current run'],
      ],
    );
    assert.equal(r.tests, 2);
  });

  it('a cell with a failed sample', () => {
    const base = run(10, 1);
    const cur = [...base, makeSample(deep, {}, { repetition: 10, status: 'failed', reason: 'fio: io_u error' })];
    const r = evaluateGate(base, cur, { seed: 1 });
    assert.equal(r.verdict, 'inconclusive');
    const failed = byStatus(r, 'failed');
    assert.equal(failed.length, 2);
    assert.match(failed[0]?.reason ?? '', /current: 1 failed \(fio: io_u error\)/);
    assert.equal(exitCodeFor(r, { bisect: false }), ExitCode.Partial);
  });

  it('environment mismatch: inconclusive listing it, even over a regression', () => {
    const base = run(10, 1);
    const envMismatch = [env('host.hostKernel', '6.1 → 6.6'), env('qemu.version', '8.2 → 9.0')];
    const r = evaluateGate(base, [...base].reverse(), { envMismatch });
    assert.equal(r.verdict, 'inconclusive');
    assert.deepEqual(r.reasons, [
      'environment differs: host.hostKernel: 6.1 → 6.6',
      'environment differs: qemu.version: 8.2 → 9.0',
    ]);
    assert.deepEqual(r.inconclusive, [{ kind: 'environment', differences: envMismatch }]);
    const withReg = evaluateGate(base, run(10, 2, { iops: 0.5 }), { envMismatch: [env('host.cpuModel', 'A → B')] });
    assert.equal(withReg.verdict, 'inconclusive');
  });

  it('a regression elsewhere outranks a missing cell', () => {
    const cur = run(10, 2, { iops: 0.8 }).filter((s) => s.cell.iodepth !== 32);
    assert.equal(evaluateGate(run(10, 1), cur).verdict, 'regression');
  });

  it('nothing to compare is inconclusive', () => {
    const r = evaluateGate([], []);
    assert.equal(r.verdict, 'inconclusive');
    assert.deepEqual(r.reasons, ['no cell × metric could be compared']);
  });

  it('unsupported on both sides is neutral; on one side only it is missing', () => {
    const unsupported = (rep: number) =>
      makeSample({ backend: 'io_uring', iodepth: 1 }, {}, { status: 'unsupported', repetition: rep });
    const base = run(10, 1);
    const both = evaluateGate([...base, unsupported(0)], [...base, unsupported(0)]);
    assert.equal(both.verdict, 'pass');
    assert.equal(byStatus(both, 'unsupported').length, 2);
    const one = evaluateGate(base.concat(makeRunsMulti({ backend: 'io_uring', iodepth: 1 }, { iops: [1, 2, 3] })), [
      ...base,
      unsupported(0),
    ]);
    assert.equal(one.verdict, 'inconclusive');
    assert.equal(byStatus(one, 'missing').length, 2);
  });
});

describe('evaluateGate options', () => {
  it('Benjamini-Hochberg adjusts less than Holm for several small p-values', () => {
    const base = run(10, 1);
    const cur = run(10, 2, { iops: 0.8, p99: 1.2 });
    const holm = evaluateGate(base, cur, { correction: 'holm' });
    const bh = evaluateGate(base, cur, { correction: 'bh' });
    assert.equal(bh.correction, 'bh');
    holm.cells.forEach((c, i) => assert.ok((bh.cells[i]?.adjustedP ?? 2) <= (c.adjustedP ?? 0) + 1e-15));
  });

  it('is deterministic for a seed (bootstrap intervals included)', () => {
    const base = run(10, 1);
    const cur = run(10, 2, { iops: 0.9 });
    assert.deepEqual(evaluateGate(base, cur, { seed: 7 }), evaluateGate(base, cur, { seed: 7 }));
  });
});
