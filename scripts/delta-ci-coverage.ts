/**
 * Coverage of the percentile-bootstrap CI of Δ at small n: the figures behind
 * the rule in src/compare/delta-ci.ts (`npm run delta-ci-coverage`).
 *
 * Both sides are drawn from the same distribution, so the true Δ is 0 and a
 * 95 % interval should contain it in 95 % of the trials. For each n per side
 * the script reports that share and how often the interval is nothing but the ratio
 * of the sample extremes, [min B / max A, max B / min A] — what the bootstrap
 * degenerates to when each side's resampled median sits on the sample minimum
 * or maximum with probability above (1 − level)/2.
 *
 * Distributions: normal with CV 10 % and lognormal with σ = 0.3 (skewed, like
 * latency percentiles), drawn from the same seeded stream: the lognormal
 * values are a monotone transform of the normal ones, and since a percentile
 * interval of a median ratio under a true Δ = 0 depends almost only on ranks,
 * the two agree closely — coverage here says little about the shape. The
 * interval is computed without the rule (straight from stats/bootstrap.ts),
 * since the rule is what is being justified. About 6 minutes on a 2-core VM.
 *
 * Usage: npm run delta-ci-coverage -- [--trials N] [--iterations B] [--seed S]
 */
import { parseArgs } from 'node:util';
import { bootstrapCi, ratioOfMedians } from '../src/stats/bootstrap.js';
import { mulberry32, type Rng } from '../src/util/prng.js';
import { parsePositiveInt } from '../src/cli/stat-options.js';

function normal(rng: Rng): number {
  const u1 = 1 - rng();
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

const DISTRIBUTIONS: Record<string, (rng: Rng) => number> = {
  'normal, CV 10 %': (rng) => 1000 * (1 + 0.1 * normal(rng)),
  'lognormal, σ 0.3': (rng) => 1000 * Math.exp(0.3 * normal(rng)),
};

interface Row {
  distribution: string;
  n: number;
  coverage: number;
  extremes: number;
}

function measure(
  draw: (rng: Rng) => number,
  n: number,
  opts: { trials: number; iterations: number; seed: number },
): Omit<Row, 'distribution'> {
  const rng = mulberry32(opts.seed * 1_000 + n);
  let covered = 0;
  let extremes = 0;
  for (let t = 0; t < opts.trials; t++) {
    const a = Array.from({ length: n }, () => draw(rng));
    const b = Array.from({ length: n }, () => draw(rng));
    const ci = bootstrapCi([a, b], ratioOfMedians, { seed: opts.seed + t, iterations: opts.iterations });
    if (!ci) continue;
    if (ci.low <= 1 && ci.high >= 1) covered++;
    const low = Math.min(...b) / Math.max(...a);
    const high = Math.max(...b) / Math.min(...a);
    if (Math.abs(ci.low - low) < 1e-12 * low && Math.abs(ci.high - high) < 1e-12 * high) extremes++;
  }
  return { n, coverage: covered / opts.trials, extremes: extremes / opts.trials };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      trials: { type: 'string', default: '4000' },
      iterations: { type: 'string', default: '2000' },
      seed: { type: 'string', default: '1' },
    },
  });
  const opts = {
    trials: parsePositiveInt('--trials', values.trials ?? '4000'),
    iterations: parsePositiveInt('--iterations', values.iterations ?? '2000'),
    seed: parsePositiveInt('--seed', values.seed ?? '1'),
  };
  console.log(`percentile bootstrap, 95 %, ${opts.iterations} resamples, ${opts.trials} trials per row, true Δ = 0`);
  console.log('| distribution | n per side | covers Δ = 0 | interval = ratio of sample extremes |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [distribution, draw] of Object.entries(DISTRIBUTIONS)) {
    for (const n of [1, 2, 3, 4, 5, 6, 8, 10]) {
      const r = measure(draw, n, opts);
      console.log(
        `| ${distribution} | ${n} | ${(r.coverage * 100).toFixed(1)} % | ${(r.extremes * 100).toFixed(0)} % |`,
      );
    }
  }
}

main();
