/**
 * The noise floor of an A/A run: one configuration measured as two identical,
 * interleaved arms. Per original cell and metric: the arms' agreement (Δ and
 * Mann-Whitney p — an A/A difference is noise by construction), the spread of
 * the repetitions (CV, MAD in % of the median) and the relative residuals the
 * power simulation draws from.
 */
import type { CellValues, Sample } from '../model/sample.js';
import { cellKeyOf } from '../model/cell-key.js';
import { groupSamples, indexCells, metricBetter } from '../compare/group.js';
import { compareValues } from '../compare/row.js';
import { cv, median } from '../stats/descriptive.js';

/** How the A/A arms are told apart: two labels of one axis standing for the same original value. */
export interface AaArms {
  axis: string;
  labels: readonly [string, string];
  /** The value the arms stand for (the original cell's value of `axis`). */
  original: string;
}

export interface CellNoise {
  /** The original cell (arm label replaced by the original value). */
  cellKey: string;
  cell: CellValues;
  metric: string;
  better: 'higher' | 'lower';
  /** Repetitions per arm. */
  n: [number, number];
  median: number;
  /** Coefficient of variation of the pooled relative residuals (fraction). */
  cv: number;
  /** Median absolute deviation of the pooled relative residuals, in % of the median. */
  madPct: number;
  /** Arm B vs arm A: change of the median (%), and the Mann-Whitney p (noise by construction). */
  aaDeltaPct: number;
  aaP: number;
  /** value / median of its arm, both arms pooled: what the power simulation resamples. */
  residuals: number[];
}

export function originalCell(cell: CellValues, arms: AaArms): CellValues {
  return Object.fromEntries(Object.entries(cell).map(([axis, v]) => [axis, axis === arms.axis ? arms.original : v]));
}

export function aaNoise(samples: readonly Sample[], arms: AaArms, metrics: readonly string[]): CellNoise[] {
  const [labelA, labelB] = arms.labels;
  const out: CellNoise[] = [];
  for (const metric of metrics) {
    const values = groupSamples(samples, metric);
    const better = metricBetter(samples, metric) ?? 'higher';
    for (const info of indexCells(samples).values()) {
      if (String(info.cell[arms.axis]) !== labelA) continue;
      const a = values.get(info.cellKey);
      const b = values.get(cellKeyOf({ ...info.cell, [arms.axis]: labelB }));
      if (!a || !b) continue;
      const cell = originalCell(info.cell, arms);
      const residuals = [...a.map((v) => v / median(a)), ...b.map((v) => v / median(b))];
      const deviations = residuals.map((r) => Math.abs(r - median(residuals)));
      const row = compareValues({ cellKey: cellKeyOf(cell), baselineKey: cellKeyOf(cell), cell }, a, b, {
        alpha: 0.05,
        seed: 1,
        better,
      });
      out.push({
        cellKey: cellKeyOf(cell),
        cell,
        metric,
        better,
        n: [a.length, b.length],
        median: median([...a, ...b]),
        cv: cv(residuals),
        madPct: median(deviations) * 100,
        aaDeltaPct: row.deltaPct,
        aaP: row.p,
        residuals,
      });
    }
  }
  return out;
}
