/** Axis scales and tick choice for the SVG charts. Pure. */

export interface Scale {
  (value: number): number;
  ticks: number[];
}

/** "Nice" step for about `count` intervals over `span`: 1, 2 or 5 × 10^k. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Ticks covering [lo, hi] at a nice step; the first ≤ lo and the last ≥ hi. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi <= lo) hi = lo === 0 ? 1 : lo + Math.abs(lo);
  const step = niceStep(hi - lo, count);
  const first = Math.floor(lo / step) * step;
  const ticks: number[] = [];
  for (let t = first; t < hi + step * 0.999; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/**
 * Linear map of [ticks[0], ticks[last]] onto [r0, r1] (r1 < r0 for a y axis);
 * with `nice: false` the domain is exactly [lo, hi] (time axes: no empty days).
 */
export function linearScale(lo: number, hi: number, r0: number, r1: number, count = 5, nice = true): Scale {
  const ticks = nice ? niceTicks(lo, hi, count) : [lo, hi];
  const d0 = ticks[0] ?? lo;
  const d1 = ticks[ticks.length - 1] ?? hi;
  const f = ((v: number) => (d1 === d0 ? (r0 + r1) / 2 : r0 + ((v - d0) / (d1 - d0)) * (r1 - r0))) as Scale;
  f.ticks = ticks;
  return f;
}

/**
 * Log2 map for queue depths (1, 2, 4, … evenly spaced); ticks are the data
 * values themselves. Falls back to linear when a value is not positive.
 */
export function log2Scale(values: readonly number[], r0: number, r1: number): Scale {
  const xs = [...new Set(values)].sort((a, b) => a - b);
  if (xs.length === 0 || xs[0]! <= 0) return linearScale(Math.min(0, ...xs), Math.max(1, ...xs), r0, r1);
  const l0 = Math.log2(xs[0]!);
  const l1 = Math.log2(xs[xs.length - 1]!);
  const f = ((v: number) => (l1 === l0 ? (r0 + r1) / 2 : r0 + ((Math.log2(v) - l0) / (l1 - l0)) * (r1 - r0))) as Scale;
  f.ticks = xs;
  return f;
}
