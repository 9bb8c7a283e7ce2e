/**
 * The error rates of `repetitions: auto`'s stopping rule, by simulation on
 * real residuals (`npm run adaptive-sim`; docs/statistics.md shows the output).
 *
 * Input: a calibration file (default: the committed fixture
 * test/fixtures/runs/gate/calibration.json): its first iops cell's relative
 * residuals give the shape of the noise; each case rescales them to a
 * coefficient of variation (the measured one, 5 %, and a KVM-like 2 %) and
 * sets the margin (minimum effect) for it. Per case, 10⁴ simulated runs
 * (seeded) of one comparison through the look schedule:
 *  - A/A (true Δ = 0): a `different` is a false alarm — must be ≤ α + 2 SE;
 *  - true Δ = −margin and +margin: an `equivalent` is false — must be ≤ α + 2 SE.
 * Exit 1 when a rate is above its bound.
 *
 * Usage: npm run adaptive-sim -- [calibration.json] [--runs N] [--alpha A] [--min N] [--max N] [--looks K] [--seed S]
 */
import { parseArgs } from 'node:util';
import { loadCalibration } from '../src/calibrate/file.js';
import { alphaPerLook, lookSchedule } from '../src/gate/adaptive-rule.js';
import { rescaleResiduals, shareSe, simulateSequential } from '../src/gate/adaptive-sim.js';
import { parseFraction, parsePositiveInt } from '../src/cli/stat-options.js';

const DEFAULT_CALIBRATION = 'test/fixtures/runs/gate/calibration.json';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '10000' },
      alpha: { type: 'string', default: '0.05' },
      min: { type: 'string', default: '6' },
      max: { type: 'string', default: '30' },
      looks: { type: 'string', default: '5' },
      seed: { type: 'string', default: '1' },
    },
  });
  const path = positionals[0] ?? DEFAULT_CALIBRATION;
  const calibration = await loadCalibration(path);
  const cell = calibration.cells.find((c) => c.metric === 'iops') ?? calibration.cells[0];
  if (!cell) throw new Error(`${path}: no cells`);
  const runs = parsePositiveInt('--runs', values.runs!);
  const alpha = parseFraction('--alpha', values.alpha!);
  const looks = lookSchedule(
    parsePositiveInt('--min', values.min!),
    parsePositiveInt('--max', values.max!),
    parsePositiveInt('--looks', values.looks!),
  );
  const seed = parsePositiveInt('--seed', values.seed!);
  const rule = { alphaPerLook: alphaPerLook(alpha, looks.length, 1), minEffectPct: 0, looks };
  const measuredCv = cell.cv;
  const cases = [
    { label: `measured (${(measuredCv * 100).toFixed(1)} %)`, cv: measuredCv, margin: Math.round(measuredCv * 100) },
    { label: '5 %', cv: 0.05, margin: 5 },
    { label: '2 % (KVM-like)', cv: 0.02, margin: 2 },
  ];
  console.log(`residuals: ${path}, ${cell.cellKey} ${cell.metric} (${cell.residuals.length} values)`);
  console.log(
    `rule: α = ${alpha}, looks after rounds ${looks.join(', ')}, α′ = ${rule.alphaPerLook}; ${runs} runs per case, seed ${seed}`,
  );
  console.log(
    '| CV | margin | true Δ | different | equivalent | undecided | mean rounds | error rate ± SE | bound α + 2 SE | ok |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  let failed = 0;
  for (const c of cases) {
    const residuals = rescaleResiduals(cell.residuals, measuredCv, c.cv);
    for (const truePct of [0, -c.margin, c.margin]) {
      const r = simulateSequential({ residuals, truePct, rule: { ...rule, minEffectPct: c.margin }, runs, seed });
      const errors = truePct === 0 ? r.different : r.equivalent;
      const rate = errors / runs;
      const se = shareSe(rate, runs);
      const bound = alpha + 2 * se;
      const ok = rate <= bound;
      if (!ok) failed++;
      const share = (k: number) => `${((k / runs) * 100).toFixed(2)} %`;
      console.log(
        `| ${c.label} | ±${c.margin} % | ${truePct > 0 ? '+' : ''}${truePct} % | ${share(r.different)} | ${share(r.equivalent)} | ` +
          `${share(r.undecided)} | ${(r.totalRounds / runs).toFixed(1)} | ${truePct === 0 ? 'false different' : 'false equivalent'} ` +
          `${(rate * 100).toFixed(2)} ± ${(se * 100).toFixed(2)} % | ${(bound * 100).toFixed(2)} % | ${ok ? 'yes' : 'NO'} |`,
      );
    }
  }
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error((err as Error).message);
    process.exit(2);
  },
);
