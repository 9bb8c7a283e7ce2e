/**
 * Host CPU steal of stored samples, summed up for the reports and the
 * comparisons: per cell and over a whole result set. The reading itself is
 * host/steal.ts.
 */
import { HOST_STEAL_KEY } from '../model/observed-keys.js';

/** Mean steal of each cell's samples that recorded it (ok samples only), by cell key. */
export function stealByCell(
  samples: readonly { cellKey: string; status: string; observed: Record<string, unknown> }[],
): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const s of samples) {
    const v = s.observed[HOST_STEAL_KEY];
    if (s.status !== 'ok' || typeof v !== 'number' || !Number.isFinite(v)) continue;
    const acc = sums.get(s.cellKey) ?? { sum: 0, n: 0 };
    sums.set(s.cellKey, { sum: acc.sum + v, n: acc.n + 1 });
  }
  return new Map([...sums].map(([key, { sum, n }]) => [key, sum / n]));
}

/** Steal over all ok samples that recorded it: mean and max in %, and how many samples had any. */
export function stealSummary(
  samples: readonly { status: string; observed: Record<string, unknown> }[],
): { mean: number; max: number; nonZero: number; n: number } | null {
  const values = samples
    .filter((s) => s.status === 'ok')
    .map((s) => s.observed[HOST_STEAL_KEY])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return null;
  return {
    mean: values.reduce((a, b) => a + b, 0) / values.length,
    max: Math.max(...values),
    nonZero: values.filter((v) => v > 0).length,
    n: values.length,
  };
}
