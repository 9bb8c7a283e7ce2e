/**
 * The gate's false-alarm rate, measured on real A/A data (`npm run false-alarm`).
 *
 * Input: a calibration file written by `vblk-bench calibrate` (default: the
 * committed fixture test/fixtures/runs/gate/calibration.json); it names the
 * A/A results directory and its two arms. Every sample of an arm is one real
 * repetition of the same configuration, so every pair of sample sets drawn
 * from them is an A/A comparison and any regression verdict is a false alarm.
 *
 * 1. The real split: arm A as baseline, arm B as current (interleaved boots).
 * 2. Resampled splits: for each cell the pooled repetitions of both arms are
 *    shuffled (seeded) and cut in two halves, baseline and current; each pair
 *    goes through the gate with its defaults (or --alpha / --min-effect).
 *    The rate is the share of pairs with a `regression` verdict, with a
 *    Wilson 95 % interval.
 *
 * Limits: shuffled halves are exchangeable by construction, so the rank
 * test's own error rate bounds what they can show (≤ α); what this measures is
 * whether the gate as built — Holm across cells × metrics, tied p99 latencies,
 * the minimum-effect rule — stays at or below its nominal α on real noise. Drift
 * between runs recorded at different times is not in one A/A run; compare two
 * separate runs (the fixtures `base` and `same`) for that.
 *
 * Usage: npm run false-alarm -- [calibration.json] [--iterations N] [--alpha A] [--min-effect iops=5,...] [--seed S]
 */
import { parseArgs } from 'node:util';
import type { Sample } from '../src/model/sample.js';
import { cellKeyOf } from '../src/model/cell-key.js';
import { evaluateGate } from '../src/gate/evaluate.js';
import { GATE_DEFAULTS } from '../src/gate/defaults.js';
import type { GateOptions, GateVerdict } from '../src/gate/types.js';
import { loadCalibration } from '../src/calibrate/file.js';
import { originalCell, type AaArms } from '../src/calibrate/noise.js';
import { loadRun } from '../src/store/run-reader.js';
import { mulberry32, shuffled } from '../src/util/prng.js';
import { formatFraction } from '../src/util/number-format.js';
import { parseFraction, parseMinEffects, parsePositiveInt } from '../src/cli/stat-options.js';

const DEFAULT_CALIBRATION = 'test/fixtures/runs/gate/calibration.json';

/** The A/A samples with the arm label replaced by the original value, split by arm. */
function armsOf(samples: readonly Sample[], arms: AaArms): { a: Sample[]; b: Sample[] } {
  const out = { a: [] as Sample[], b: [] as Sample[] };
  for (const s of samples) {
    const label = String(s.cell[arms.axis]);
    const side = label === arms.labels[0] ? out.a : label === arms.labels[1] ? out.b : null;
    if (!side) continue;
    const cell = originalCell(s.cell, arms);
    side.push({ ...s, cell, cellKey: cellKeyOf(cell) });
  }
  return out;
}

/** Wilson score interval for k successes in n trials (95 %). */
function wilson(k: number, n: number): [number, number] {
  const z = 1.959964;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      iterations: { type: 'string', default: '2000' },
      alpha: { type: 'string', default: String(GATE_DEFAULTS.alpha) },
      'min-effect': { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  const path = positionals[0] ?? DEFAULT_CALIBRATION;
  const iterations = parsePositiveInt('--iterations', values.iterations ?? '2000');
  const seed = parsePositiveInt('--seed', values.seed ?? '1');
  const gate: GateOptions = {
    alpha: parseFraction('--alpha', values.alpha ?? String(GATE_DEFAULTS.alpha)),
    metrics: values['min-effect'] ? parseMinEffects(values['min-effect']) : [...GATE_DEFAULTS.metrics],
    iterations: 200, // bootstrap resamples of the Δ interval: not part of the verdict
  };

  const calibration = await loadCalibration(path);
  const run = await loadRun(calibration.runDir);
  const { a, b } = armsOf(run.samples, calibration.arms);
  const pools = new Map<string, Sample[]>();
  for (const s of [...a, ...b]) pools.set(s.cellKey, [...(pools.get(s.cellKey) ?? []), s]);

  const real = evaluateGate(a, b, gate);
  const counts: Record<GateVerdict, number> = { pass: 0, regression: 0, inconclusive: 0 };
  const rng = mulberry32(seed);
  for (let i = 0; i < iterations; i++) {
    const base: Sample[] = [];
    const cur: Sample[] = [];
    for (const pool of pools.values()) {
      const mixed = shuffled(pool, rng);
      const half = Math.floor(mixed.length / 2);
      base.push(...mixed.slice(0, half));
      cur.push(...mixed.slice(half, 2 * half));
    }
    counts[evaluateGate(base, cur, gate).verdict]++;
  }

  const [low, high] = wilson(counts.regression, iterations);
  const sizes = [...pools.values()].map((p) => Math.floor(p.length / 2));
  const metrics = (gate.metrics ?? []).map((m) => `${m.name} ≥ ${m.minEffectPct} %`).join(', ');
  const lines = [
    `A/A data: ${calibration.runDir} (${a.length} + ${b.length} samples, ${pools.size} cell(s), arms ${calibration.arms.labels.join('/')})`,
    `gate: α = ${gate.alpha} (Holm), metrics ${metrics}`,
    `real split (arm A vs arm B): ${real.verdict}`,
    `resampled splits: ${iterations} pairs of ${sizes.join('/')} vs ${sizes.join('/')} repetitions per cell, seed ${seed}`,
    `  pass ${counts.pass}, inconclusive ${counts.inconclusive}, regression ${counts.regression}`,
    `false-alarm rate: ${formatFraction(counts.regression / iterations)} (95 % CI ${formatFraction(low)} … ${formatFraction(high)}), nominal α = ${gate.alpha}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`false-alarm: ${(err as Error).message}\n`);
  process.exitCode = 2;
});
