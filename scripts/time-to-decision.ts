/**
 * Time to a decision, fixed-n vs adaptive (`npm run time-to-decision`; the
 * table is in docs/benchmarks.md and docs/statistics.md). A simulation, not a
 * timing: rounds come from the stopping rule on real residuals, minutes from
 * the plan's duration estimate (plan/estimate.ts).
 *
 * Input: a calibration file (default: the committed fixture
 * test/fixtures/runs/gate/calibration.json); its first iops cell's residuals
 * at their measured CV, and rescaled to 10 % (a quiet TCG host) and to a
 * KVM-like CV of 2 % (labelled so).
 * For each effect E of 2, 5 and 10 %, two questions about one comparison
 * (two cells of one boot group, e.g. iodepth 1 vs 8: one boot per round):
 *  - "is there a change?": true Δ = −E, min_effect = E/2 — the right answer is `different`;
 *  - "is it the same?": true Δ = 0, min_effect = E — the right answer is `equivalent`.
 * Fixed-n: the smallest rounds n whose single look (α, no looks to pay for)
 * gives the right answer in ≥ 80 % (and ≥ 95 %) of simulated runs, searched
 * up to --max — an oracle: it knows the true effect and the noise, which a
 * user choosing `repetitions: N` does not.
 * Adaptive: min 6, max --max, 5 looks, α split over them (gate/adaptive-rule.ts);
 * mean rounds to its decision (the maximum when undecided) and the share right.
 * Machine-minutes: rounds × (one boot + 2 samples of runtime + ramp + overhead).
 *
 * Usage: npm run time-to-decision -- [calibration.json] [--runs N] [--max N] [--alpha A] [--runtime S] [--ramp S] [--seed S]
 */
import { parseArgs } from 'node:util';
import { loadCalibration } from '../src/calibrate/file.js';
import { alphaPerLook, lookSchedule } from '../src/gate/adaptive-rule.js';
import { rescaleResiduals, simulateSequential } from '../src/gate/adaptive-sim.js';
import { estimateDuration } from '../src/plan/estimate.js';
import type { Accel } from '../src/model/sample.js';
import { parseFraction, parsePositiveInt } from '../src/cli/stat-options.js';

const DEFAULT_CALIBRATION = 'test/fixtures/runs/gate/calibration.json';

interface Question {
  truePct: number;
  minEffectPct: number;
  right: 'different' | 'equivalent';
}

interface Settings {
  runs: number;
  max: number;
  alpha: number;
  seed: number;
}

/** Share of runs a single look after n rounds answers right. */
function fixedShare(residuals: readonly number[], q: Question, n: number, s: Settings): number {
  const rule = { alphaPerLook: s.alpha, minEffectPct: q.minEffectPct, looks: [n] };
  const r = simulateSequential({ residuals, truePct: q.truePct, rule, runs: s.runs, seed: s.seed });
  return r[q.right] / s.runs;
}

/** Smallest n in 6..max reaching `target` (doubling, then bisection); null when max does not. */
function fixedN(residuals: readonly number[], q: Question, s: Settings, target: number): number | null {
  let low = 5;
  let high = 6;
  while (fixedShare(residuals, q, high, s) < target) {
    if (high >= s.max) return null;
    low = high;
    high = Math.min(s.max, high * 2);
  }
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (fixedShare(residuals, q, mid, s) >= target) high = mid;
    else low = mid;
  }
  return high;
}

function adaptive(residuals: readonly number[], q: Question, s: Settings) {
  const looks = lookSchedule(6, s.max, 5);
  const rule = { alphaPerLook: alphaPerLook(s.alpha, looks.length, 1), minEffectPct: q.minEffectPct, looks };
  const r = simulateSequential({ residuals, truePct: q.truePct, rule, runs: s.runs, seed: s.seed });
  return { meanRounds: r.totalRounds / s.runs, right: r[q.right] / s.runs };
}

function minutes(rounds: number, accel: Accel, runtimeS: number, rampTimeS: number): number {
  return estimateDuration({ accel, visits: rounds, samples: 2 * rounds, runtimeS, rampTimeS }).totalSeconds / 60;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '1000' },
      max: { type: 'string', default: '100' },
      alpha: { type: 'string', default: '0.05' },
      runtime: { type: 'string', default: '10' },
      ramp: { type: 'string', default: '2' },
      seed: { type: 'string', default: '1' },
    },
  });
  const path = positionals[0] ?? DEFAULT_CALIBRATION;
  const calibration = await loadCalibration(path);
  const cell = calibration.cells.find((c) => c.metric === 'iops') ?? calibration.cells[0];
  if (!cell) throw new Error(`${path}: no cells`);
  const s: Settings = {
    runs: parsePositiveInt('--runs', values.runs!),
    max: parsePositiveInt('--max', values.max!, 200),
    alpha: parseFraction('--alpha', values.alpha!),
    seed: parsePositiveInt('--seed', values.seed!),
  };
  const runtimeS = parsePositiveInt('--runtime', values.runtime!);
  const rampS = Number(values.ramp);
  const noise = [
    { label: `measured ${(cell.cv * 100).toFixed(1)} % (TCG)`, cv: cell.cv, accel: 'tcg' as Accel },
    { label: '10 % (quiet TCG host, rescaled)', cv: 0.1, accel: 'tcg' as Accel },
    { label: '2 % (KVM-like, rescaled)', cv: 0.02, accel: 'kvm' as Accel },
  ];
  console.log(
    `residuals: ${path}, ${cell.cellKey} ${cell.metric}; α = ${s.alpha}; ${s.runs} simulated runs per point; seed ${s.seed}`,
  );
  console.log(
    `one comparison, two cells of one boot group; fio ${runtimeS}s + ramp ${rampS}s; adaptive: min 6, max ${s.max}, looks ${lookSchedule(6, s.max, 5).join(', ')}`,
  );
  console.log(
    '| CV | effect | question | fixed n, 80 % right | machine-min | fixed n, 95 % right | machine-min | adaptive mean rounds | machine-min | adaptive right |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const nz of noise) {
    const residuals = rescaleResiduals(cell.residuals, cell.cv, nz.cv);
    for (const effect of [2, 5, 10]) {
      const questions: [string, Question][] = [
        [
          `Δ −${effect} %, min_effect ${effect / 2} % → different`,
          { truePct: -effect, minEffectPct: effect / 2, right: 'different' },
        ],
        [`Δ 0, min_effect ${effect} % → equivalent`, { truePct: 0, minEffectPct: effect, right: 'equivalent' }],
      ];
      for (const [label, q] of questions) {
        const a = adaptive(residuals, q, s);
        const fixed = [0.8, 0.95].map((target) => {
          const n = fixedN(residuals, q, s, target);
          const min = minutes(n ?? s.max, nz.accel, runtimeS, rampS).toFixed(1);
          return n === null ? `> ${s.max} | > ${min}` : `${n} | ${min}`;
        });
        console.log(
          `| ${nz.label} | ${effect} % | ${label} | ${fixed.join(' | ')} | ${a.meanRounds.toFixed(1)} | ` +
            `${minutes(a.meanRounds, nz.accel, runtimeS, rampS).toFixed(1)} | ${(a.right * 100).toFixed(0)} % |`,
        );
      }
    }
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(2);
});
