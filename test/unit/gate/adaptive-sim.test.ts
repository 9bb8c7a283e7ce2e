/**
 * Both error rates of the adaptive stopping rule, by seeded simulation on the
 * real residuals of the committed calibration fixture (the same as
 * `npm run adaptive-sim`, one noise level): 10⁴ simulated runs per case.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { alphaPerLook, lookSchedule } from '../../../src/gate/adaptive-rule.js';
import { rescaleResiduals, shareSe, simulateSequential } from '../../../src/gate/adaptive-sim.js';
import { repoRoot } from '../../../src/util/paths.js';

const calibration = JSON.parse(readFileSync(join(repoRoot(), 'test/fixtures/runs/gate/calibration.json'), 'utf8')) as {
  cells: { metric: string; cv: number; residuals: number[] }[];
};
const cell = calibration.cells.find((c) => c.metric === 'iops')!;
const residuals = rescaleResiduals(cell.residuals, cell.cv, 0.05);
const alpha = 0.05;
const looks = lookSchedule(6, 30, 5);
const rule = { alphaPerLook: alphaPerLook(alpha, looks.length, 1), minEffectPct: 5, looks };
const RUNS = 10_000;

describe('adaptive stopping rule: error rates on real residuals (CV 5 %, margin ±5 %, 10⁴ runs per case)', () => {
  it('A/A: false "different" ≤ α + 2 SE, and the rule does decide (most runs end equivalent)', () => {
    const r = simulateSequential({ residuals, truePct: 0, rule, runs: RUNS, seed: 11 });
    const rate = r.different / RUNS;
    assert.ok(rate <= alpha + 2 * shareSe(rate, RUNS), `false different ${rate}`);
    assert.ok(r.equivalent / RUNS > 0.3, `equivalent in ${r.equivalent} of ${RUNS}`);
  });

  it('true Δ = −margin: false "equivalent" ≤ α + 2 SE, and most runs end different', () => {
    const r = simulateSequential({ residuals, truePct: -5, rule, runs: RUNS, seed: 12 });
    const rate = r.equivalent / RUNS;
    assert.ok(rate <= alpha + 2 * shareSe(rate, RUNS), `false equivalent ${rate}`);
    assert.ok(r.different / RUNS > 0.3, `different in ${r.different} of ${RUNS}`);
  });
});
