import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aaProfile, AA_LABELS } from '../../../src/calibrate/aa-profile.js';
import { aaNoise } from '../../../src/calibrate/noise.js';
import { calibrationWarnings, type CalibrationFile } from '../../../src/calibrate/file.js';
import { evaluateGate } from '../../../src/gate/evaluate.js';
import { makePlan } from '../../../src/plan/plan.js';
import { parseYaml, validateProfile } from '../../../src/profile/load.js';
import { makeRunsMulti } from '../gate/sample-factory.js';
import { explain, hint } from '../../../src/model/diagnostic.js';

const YAML = `
name: nightly
repetitions: 2
matrix:
  backend: [{name: virtio-blk-iothread, label: fast, queue_size: 128}, virtio-blk]
  ioeventfd: [on, off]
  iodepth: [1, 4]
`;

describe('the A/A profile', () => {
  const raw = parseYaml(YAML);
  const group = makePlan(validateProfile(raw), 'tcg').groups[0]!;
  const aa = aaProfile(raw, group, { name: 'nightly-aa', repetitions: 6 });

  it('duplicates the first boot group as two labelled arms of the same backend, other boot axes pinned', () => {
    const profile = validateProfile(aa.input);
    assert.equal(profile.name, 'nightly-aa');
    assert.equal(profile.repetitions, 6);
    assert.equal(profile.reboot_per_repetition, true);
    const plan = makePlan(profile, 'tcg');
    assert.deepEqual(
      plan.groups.map((g) => g.key),
      ['backend=aa-a,ioeventfd=on', 'backend=aa-b,ioeventfd=on'],
    );
    for (const g of plan.groups)
      assert.deepEqual(g.options.backend, { backend: 'virtio-blk-iothread', queue_size: 128 });
    assert.deepEqual(
      plan.groups[0]!.cells.map((c) => c.values.iodepth),
      [1, 4],
      'fio axes untouched',
    );
    assert.deepEqual(plan.visits.map((v) => v.groupId).slice(0, 4), ['g1', 'g2', 'g1', 'g2'], 'arms interleaved');
    assert.deepEqual(aa.arms, { axis: 'backend', labels: AA_LABELS, original: 'fast' });
  });

  it('an auto profile (repetitions: auto, adaptive:) calibrates with a fixed count, its adaptive block dropped', () => {
    const auto = parseYaml(
      `${YAML.replace('repetitions: 2', 'repetitions: auto\nadaptive: {compare: {axis: iodepth, baseline: 1}, min_effect: 5}')}`,
    );
    const input = aaProfile(auto, makePlan(validateProfile(auto), 'tcg').groups[0]!, {
      name: 'nightly-aa',
      repetitions: 6,
    }).input;
    const profile = validateProfile(input);
    assert.equal(profile.repetitions, 6);
    assert.equal(profile.adaptive, undefined);
  });

  it('measures the noise per original cell from both arms', () => {
    const cell = (label: string) => ({ backend: label, ioeventfd: 'on', scheduler: 'none', iodepth: 1 });
    const samples = [
      ...makeRunsMulti(cell('aa-a'), { iops: [100, 102, 98, 101, 99, 100], clat_p99_ns: [10, 11, 10, 12, 10, 11] }),
      ...makeRunsMulti(cell('aa-b'), { iops: [200, 204, 196, 202, 198, 200], clat_p99_ns: [10, 10, 11, 10, 12, 10] }),
    ];
    const noise = aaNoise(samples, aa.arms, ['iops', 'clat_p99_ns']);
    assert.equal(noise.length, 2);
    const iops = noise[0]!;
    assert.equal(iops.cellKey, 'backend=fast,ioeventfd=on,scheduler=none,iodepth=1');
    assert.deepEqual(iops.n, [6, 6]);
    assert.equal(iops.residuals.length, 12);
    assert.ok(iops.cv < 0.02, 'residuals are relative to each arm: a level shift between arms is not noise');
    assert.ok(Math.abs(iops.aaDeltaPct - 100) < 1e-9);
    assert.equal(noise[1]!.better, 'lower');
  });
});

describe('calibrationWarnings', () => {
  const cell = { backend: 'virtio-blk', iodepth: 1 };
  const base = makeRunsMulti(cell, { iops: [100, 101, 99, 100, 102, 98] });
  const cur = makeRunsMulti(cell, { iops: [100, 99, 101, 100, 98, 102] });
  const result = evaluateGate(base, cur, { metrics: [{ name: 'iops', minEffectPct: 5 }] });
  const calibration = (cv: number): CalibrationFile => ({
    kind: 'vblk-bench-calibration',
    schemaVersion: 1,
    createdAt: '',
    profileName: 'p',
    runDir: '',
    arms: { axis: 'backend', labels: ['aa-a', 'aa-b'], original: 'virtio-blk' },
    settings: { effectPct: 10, alpha: 0.01, power: 0.8, simulations: 300, seed: 1 },
    fingerprint: { 'host.hostKernel': '6.1' },
    cells: [
      {
        cellKey: 'backend=virtio-blk,iodepth=1',
        cell,
        metric: 'iops',
        better: 'higher',
        n: [10, 10],
        median: 100,
        cv,
        madPct: cv * 67,
        aaDeltaPct: 0,
        aaP: 1,
        residuals: Array.from({ length: 20 }, (_, i) => 1 + (cv * 1.7 * ((i % 5) - 2)) / 2),
        requiredRepetitions: null,
        powerAtMeasured: 0,
      },
    ],
  });

  it('is silent when the settings catch the calibrated effect, and says how many repetitions are needed when not', () => {
    assert.deepEqual(calibrationWarnings(result, calibration(0.005), { 'host.hostKernel': '6.1' }, []), []);
    const [w, ...rest] = calibrationWarnings(result, calibration(0.1), { 'host.hostKernel': '6.1' }, []);
    assert.equal(rest.length, 0);
    assert.equal(w?.kind, 'CalibrationLowPower');
    assert.match(explain(w!), /a real 10 % regression is caught only .* of the time with n = 6\/6/);
    assert.match(hint(w!), /repetitions per side to catch it 80 % of the time/);
  });

  it('warns when the calibration comes from another environment or covers no tested cell', () => {
    const cal = calibration(0.005);
    const lines = calibrationWarnings(result, { ...cal, cells: [] }, { 'host.hostKernel': '6.12' }, []);
    assert.deepEqual(
      lines.map((d) => d.kind),
      ['CalibrationEnvironmentDiffers', 'CalibrationCoversNone'],
    );
    assert.match(explain(lines[0]!), /another environment.*host\.hostKernel: 6\.1 → 6\.12/);
    assert.match(explain(lines[1]!), /covers none of the tested cells/);
  });
});
