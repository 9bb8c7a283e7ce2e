/**
 * Change points in a series of nightly medians: a sustained shift, not a
 * single bad night.
 *
 * Method: the Mann-Whitney change-point statistic (Pettitt 1979, Applied
 * Statistics 28(2); standardised as in Hawkins & Deng 2010, "A nonparametric
 * change-point control chart", J. Quality Technology 42(2)). For a split after
 * t of n values,
 *   U_t = Σ_{i≤t} Σ_{j>t} sign(x_i − x_j) = 2·U_MW(x_1..t, x_t+1..n) − t(n − t),
 *   Z_t = |U_t| / √(t(n − t)(n + 1) / 3)        (its standard deviation without a change),
 * and the candidate is the split with the largest Z_t. Standardising keeps a
 * shift near either end of the series as detectable as one in the middle
 * (Pettitt's raw |U_t| favours the middle). Splits are only allowed where
 * both segments have at least `minSegment` values, so one outlying night can
 * never be a segment, and the p-value of the maximum is calibrated by a seeded
 * permutation test over the same splits (no asymptotic formula for short
 * series). A change is reported when p < α and the medians of the two segments
 * differ by more than `minEffectPct` (the gate's rule, stats/min-effect.ts);
 * the search then recurses into both
 * segments (binary segmentation). Pure and deterministic for a given seed.
 */
import { median } from '../stats/descriptive.js';
import { mannWhitney } from '../stats/mann-whitney.js';
import { exceedsMinEffect } from '../stats/min-effect.js';
import { mulberry32, randomInt, type Rng } from '../util/prng.js';

export interface ChangePointOptions {
  /** Fewest values on each side of a change, default 4. */
  minSegment?: number;
  /** Significance level of each test, default 0.01. */
  alpha?: number;
  /** The segment medians must differ by more than this, in %, default 5. */
  minEffectPct?: number;
  /** Permutations for the p-value, default 999. */
  permutations?: number;
  seed?: number;
}

export interface ChangePoint {
  /** Index of the first value after the change. */
  index: number;
  /** The largest standardised statistic Z_t over the allowed splits of the segment tested. */
  z: number;
  /** Permutation p-value of k. */
  p: number;
  medianBefore: number;
  medianAfter: number;
  /** (after / before − 1) · 100. */
  deltaPct: number;
  /** Mann-Whitney p of the two segments alone (for reference; not scan-corrected). */
  segmentP: number;
}

const CHANGE_POINT_DEFAULTS = { minSegment: 4, alpha: 0.01, minEffectPct: 5, permutations: 999, seed: 1 } as const;

/** Midranks (1-based, ties share their mean rank) of `x`. */
function midranks(x: readonly number[]): number[] {
  const order = x.map((_, i) => i).sort((a, b) => x[a]! - x[b]!);
  const ranks = new Array<number>(x.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1]!] === x[order[i]!]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return ranks;
}

/**
 * |U_t| and Z_t for every split t (values before index t) with both sides ≥ m, from the midranks
 * r of x: U_t = Σ_{i<t} Σ_{j≥t} sign(x_i − x_j) = Σ_{i<t} (2·r_i − n − 1) (pairs inside the left
 * segment cancel), so one pass is O(n) once ranked — a permutation of x is a permutation of r.
 */
function statisticsOfRanks(r: readonly number[], m: number): { t: number; u: number; z: number }[] {
  const n = r.length;
  const out: { t: number; u: number; z: number }[] = [];
  let u = 0;
  for (let t = 1; t < n; t++) {
    u += 2 * r[t - 1]! - n - 1;
    if (t >= m && n - t >= m) out.push({ t, u: Math.abs(u), z: Math.abs(u) / Math.sqrt((t * (n - t) * (n + 1)) / 3) });
  }
  return out;
}

export function pettittStatistics(x: readonly number[], m: number): { t: number; u: number; z: number }[] {
  return statisticsOfRanks(midranks(x), m);
}

/** √(t(n − t)(n + 1) / 3) for each split t: the standard deviation of U_t without a change. */
function spreads(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let t = 1; t < n; t++) out[t] = Math.sqrt((t * (n - t) * (n + 1)) / 3);
  return out;
}

/** The split with the largest Z_t (the first of equal ones), without building the list: it runs once per permutation. */
function maxSplit(
  r: readonly number[],
  m: number,
  sd: Float64Array = spreads(r.length),
): { t: number; z: number } | null {
  const n = r.length;
  let bestT = -1;
  let bestZ = -1;
  let u = 0;
  for (let t = 1; t < n; t++) {
    u += 2 * r[t - 1]! - n - 1;
    if (t < m || n - t < m) continue;
    const z = Math.abs(u) / sd[t]!;
    if (z > bestZ) {
      bestZ = z;
      bestT = t;
    }
  }
  return bestT < 0 ? null : { t: bestT, z: bestZ };
}

function shuffle(values: number[], rng: Rng): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    // A swap through a temporary: destructuring would allocate an array per step (millions per history).
    const v = values[i]!;
    values[i] = values[j]!;
    values[j] = v;
  }
}

/** The single most likely change in `x`, tested; null when there is no room or no significant one. */
export function testChange(x: readonly number[], opts: ChangePointOptions = {}): ChangePoint | null {
  const o = { ...CHANGE_POINT_DEFAULTS, ...opts };
  const ranks = midranks(x);
  const best = maxSplit(ranks, o.minSegment);
  if (!best || best.z === 0) return null;
  const before = x.slice(0, best.t);
  const after = x.slice(best.t);
  const medianBefore = median(before);
  const medianAfter = median(after);
  const deltaPct = medianBefore === 0 ? NaN : (medianAfter / medianBefore - 1) * 100;
  // Too small a shift is no change whatever its p-value: no permutation is needed to say so.
  if (!exceedsMinEffect(Math.abs(deltaPct), o.minEffectPct)) return null;
  const rng = mulberry32(o.seed);
  const copy = [...ranks];
  const sd = spreads(ranks.length);
  let atLeast = 0;
  for (let b = 0; b < o.permutations; b++) {
    shuffle(copy, rng);
    // A small tolerance: equal statistics computed in another order must count as equal.
    if ((maxSplit(copy, o.minSegment, sd)?.z ?? 0) >= best.z - 1e-9) atLeast++;
    // p only grows with more permutations: once it cannot end below α, the answer is no change (most cells).
    if (!((atLeast + 1) / (o.permutations + 1) < o.alpha)) return null;
  }
  const p = (atLeast + 1) / (o.permutations + 1);
  if (!(p < o.alpha)) return null;
  return { index: best.t, z: best.z, p, medianBefore, medianAfter, deltaPct, segmentP: mannWhitney(before, after).p };
}

/** Every change point by binary segmentation, in index order. */
export function detectChangePoints(x: readonly number[], opts: ChangePointOptions = {}): ChangePoint[] {
  const m = opts.minSegment ?? CHANGE_POINT_DEFAULTS.minSegment;
  const found: ChangePoint[] = [];
  const visit = (start: number, end: number) => {
    if (end - start < 2 * m) return;
    const cp = testChange(x.slice(start, end), opts);
    if (!cp) return;
    found.push({ ...cp, index: start + cp.index });
    visit(start, start + cp.index);
    visit(start + cp.index, end);
  };
  visit(0, x.length);
  return found.sort((a, b) => a.index - b.index);
}
