/**
 * Adjusted p-values for a family of tests (one per cell × metric), matching
 * R's p.adjust(p, "holm") and p.adjust(p, "BH"). Reject H0 where adjusted p < α.
 *
 * - Holm (1979) step-down: controls the family-wise error rate (probability of
 *   any false alarm) under any dependence; uniformly better than Bonferroni.
 *   Sorted ascending p(1) ≤ … ≤ p(m):  q(i) = max_{j ≤ i} min(1, (m-j+1)·p(j)).
 * - Benjamini-Hochberg (1995) step-up: controls the false discovery rate (the
 *   expected share of false alarms among flagged tests); more power, weaker
 *   promise.  q(i) = min_{j ≥ i} min(1, m/j·p(j)).
 *
 * Results come back in the input order.
 */

export type Correction = 'holm' | 'bh';

function ascendingOrder(p: readonly number[]): number[] {
  return p.map((_, i) => i).sort((x, y) => (p[x] ?? 0) - (p[y] ?? 0) || x - y);
}

export function holm(p: readonly number[]): number[] {
  const m = p.length;
  const order = ascendingOrder(p);
  const out = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach((idx, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * (p[idx] ?? 1)));
    out[idx] = running;
  });
  return out;
}

export function benjaminiHochberg(p: readonly number[]): number[] {
  const m = p.length;
  const order = ascendingOrder(p);
  const out = new Array<number>(m).fill(1);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const idx = order[rank] ?? 0;
    running = Math.min(running, Math.min(1, (m / (rank + 1)) * (p[idx] ?? 1)));
    out[idx] = running;
  }
  return out;
}

export function adjustPValues(p: readonly number[], correction: Correction): number[] {
  return correction === 'holm' ? holm(p) : benjaminiHochberg(p);
}
