/**
 * Outliers by the modified z-score (Iglewicz & Hoaglin 1993, "How to Detect
 * and Handle Outliers", ASQC vol. 16):
 *   M_i = 0.6745 · (x_i - median) / MAD,   MAD = median(|x_i - median|),
 * flag |M_i| > 3.5. Median and MAD are not dragged by the outliers themselves,
 * unlike a mean ± k·stdev rule, which a single wild repetition inflates.
 * (0.6745 is the 0.75 normal quantile, so MAD/0.6745 estimates σ.)
 *
 * MAD = 0 (more than half the values identical) would make every other value
 * infinitely far. Then the mean absolute deviation is used instead:
 *   M_i = (x_i - median) / (1.253314 · MeanAD)
 * (1.253314 = √(π/2) scales MeanAD to σ for normal data), the fallback used by
 * IBM SPSS Modeler for the same situation. If that is 0 too, all values are
 * equal and none is an outlier. Fewer than 3 values: nothing is flagged.
 */
import { mean, median } from './descriptive.js';

const MODIFIED_Z_THRESHOLD = 3.5;

export interface OutlierResult {
  /** Indices into the input of the flagged values, ascending. */
  indices: number[];
  /** Modified z-score of every value (0 when the scale is 0). */
  scores: number[];
  /** Scale estimate used: MAD, mean absolute deviation, or none (all equal / too few). */
  scale: 'mad' | 'meanad' | 'none';
}

export function modifiedZOutliers(values: readonly number[], threshold = MODIFIED_Z_THRESHOLD): OutlierResult {
  const zeros = values.map(() => 0);
  if (values.length < 3) return { indices: [], scores: zeros, scale: 'none' };
  const med = median(values);
  const deviations = values.map((v) => Math.abs(v - med));
  const mad = median(deviations);
  let scores: number[];
  let scale: OutlierResult['scale'];
  if (mad > 0) {
    scores = values.map((v) => (0.6745 * (v - med)) / mad);
    scale = 'mad';
  } else {
    const meanAd = mean(deviations);
    if (meanAd === 0) return { indices: [], scores: zeros, scale: 'none' };
    scores = values.map((v) => (v - med) / (1.253314 * meanAd));
    scale = 'meanad';
  }
  const indices = scores.flatMap((s, i) => (Math.abs(s) > threshold ? [i] : []));
  return { indices, scores, scale };
}
