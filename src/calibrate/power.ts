/**
 * Power of the Mann-Whitney comparison by simulation from measured noise.
 *
 * The noise is an A/A measurement's relative residuals (each value divided by
 * the median of its arm), so it keeps whatever shape the real repetitions
 * have (skew, heavy tails) — no normality is assumed. One simulated
 * comparison draws n₁ baseline and n₂ current values from those residuals
 * (smoothed bootstrap: a resampled residual plus Gaussian jitter with
 * Silverman's bandwidth, so resampling does not invent ties), makes the
 * current side worse by the true effect, and counts a detection when the
 * two-sided test gives p < α, the change points the worse way and — when a
 * minimum effect is given, as in the gate — is more than it (the gate's
 * rule, stats/min-effect.ts). Seeded: the
 * same question always gives the same answer.
 */
import { mean, median, quantile, stdev } from '../stats/descriptive.js';
import { mannWhitney } from '../stats/mann-whitney.js';
import { exceedsMinEffect } from '../stats/min-effect.js';
import { minSamplesPerSide } from '../stats/min-samples.js';
import { deriveSeed, mulberry32, randomInt, type Rng } from '../util/prng.js';

export const POWER_DEFAULTS = { simulations: 1000, seed: 1, maxRepetitions: 100 } as const;

export interface PowerQuestion {
  /** Relative residuals of an A/A measurement (value / median of its arm), at least 2. */
  residuals: readonly number[];
  /** True change to detect, in % of the baseline, in the worse direction. */
  effectPct: number;
  alpha: number;
  better: 'higher' | 'lower';
  /** The gate's rule: the observed worse change must also exceed this (%); default 0. */
  minEffectPct?: number;
  simulations?: number;
  seed?: number;
}

/** Silverman's rule-of-thumb bandwidth, 0.9·min(sd, IQR/1.34)·N^(-1/5); 0 for constant data. */
export function silvermanBandwidth(values: readonly number[]): number {
  const sd = stdev(values);
  const iqr = quantile(values, 0.75) - quantile(values, 0.25);
  const spread = Math.min(sd, iqr > 0 ? iqr / 1.34 : sd);
  return Number.isFinite(spread) && spread > 0 ? 0.9 * spread * values.length ** -0.2 : 0;
}

/** Standard normal deviate (Box-Muller). */
function gaussian(rng: Rng): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** n values drawn from `residuals` by the smoothed bootstrap (bandwidth `h`), times `scale`. */
export function drawSmoothed(residuals: readonly number[], n: number, h: number, rng: Rng, scale: number): number[] {
  return Array.from(
    { length: n },
    () => ((residuals[randomInt(rng, residuals.length)] ?? 1) + h * gaussian(rng)) * scale,
  );
}

/** Share of simulated comparisons with sizes n₁, n₂ that detect the effect. */
export function simulatePower(q: PowerQuestion, n1: number, n2: number): number {
  const simulations = q.simulations ?? POWER_DEFAULTS.simulations;
  const rng = mulberry32(deriveSeed(q.seed ?? POWER_DEFAULTS.seed, `${n1},${n2},${q.effectPct},${q.alpha}`));
  const h = silvermanBandwidth(q.residuals);
  const factor = q.better === 'higher' ? 1 - q.effectPct / 100 : 1 + q.effectPct / 100;
  let detected = 0;
  for (let i = 0; i < simulations; i++) {
    const a = drawSmoothed(q.residuals, n1, h, rng, 1);
    const b = drawSmoothed(q.residuals, n2, h, rng, factor);
    const changePct = (median(b) / median(a) - 1) * 100;
    const worsePct = q.better === 'higher' ? -changePct : changePct;
    if (exceedsMinEffect(worsePct, q.minEffectPct ?? 0) && mannWhitney(a, b).p < q.alpha) detected++;
  }
  return detected / simulations;
}

export interface RequiredRepetitions {
  /** Smallest equal size per side reaching the target power; null when even `maxRepetitions` does not. */
  n: number | null;
  /** Simulated power at `n` (or at `maxRepetitions` when n is null). */
  power: number;
}

/**
 * Smallest n per side (equal sizes) whose simulated power reaches `target`,
 * searched from the first n that can reach α at all (min-samples.ts) by
 * doubling, then bisection (power grows with n).
 */
export function requiredRepetitions(
  q: PowerQuestion,
  target: number,
  maxRepetitions: number = POWER_DEFAULTS.maxRepetitions,
): RequiredRepetitions {
  if (q.residuals.length < 2 || !Number.isFinite(mean(q.residuals))) return { n: null, power: 0 };
  const powerAt = (n: number) => simulatePower(q, n, n);
  let low = minSamplesPerSide(q.alpha) - 1;
  let high = low + 1;
  let highPower = powerAt(high);
  while (highPower < target) {
    if (high >= maxRepetitions) return { n: null, power: highPower };
    low = high;
    high = Math.min(maxRepetitions, high * 2);
    highPower = powerAt(high);
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const p = powerAt(mid);
    if (p >= target) [high, highPower] = [mid, p];
    else low = mid;
  }
  return { n: high, power: highPower };
}

/**
 * The smallest true change (%) that sizes n₁, n₂ detect with probability
 * `target` at this noise (the same simulation as simulatePower), to 0.1 %
 * by bisection; null when not even `maxPct` is (the sizes cannot reach α, or
 * the noise is wild). What an "undecided" comparison could have seen.
 */
export function minimumDetectableEffect(
  q: Omit<PowerQuestion, 'effectPct'>,
  n1: number,
  n2: number,
  target: number,
  maxPct = 90,
): number | null {
  if (q.residuals.length < 2) return null;
  const powerAt = (effectPct: number) => simulatePower({ ...q, effectPct }, n1, n2);
  if (powerAt(maxPct) < target) return null;
  let low = 0;
  let high = maxPct;
  while (high - low > 0.1) {
    const mid = (low + high) / 2;
    if (powerAt(mid) >= target) high = mid;
    else low = mid;
  }
  return Math.round(high * 10) / 10;
}
