/**
 * "Beyond the minimum effect", decided in one place for every caller (the
 * gate's regression and improvement, calibrate's simulated detections, the
 * depth-drop anomaly, history's change points).
 *
 * The rule: a change counts only when it is MORE than the minimum effect; a
 * change exactly at the threshold is within it. Changes are computed in
 * floating point from a ratio of medians, so "exactly at" must not depend on
 * rounding: 10000 → 9500 computes as (9500/10000 − 1)·100 = −5.000000000000004 %
 * and 10000 → 9000 as −9.999999999999998 %, although both are exactly −5 % and
 * −10 %. Both sides are therefore compared as ratios to the baseline
 * (1 + pct/100) with a relative tolerance of 1e-9: rounding is ~1e-16, and
 * no measured difference of one part in a billion is a real effect.
 */

/** Relative tolerance on the ratio to the baseline within which a change is "at" the threshold. */
export const EFFECT_TOLERANCE = 1e-9;

/**
 * Whether a change of `changePct` % (measured in the direction being asked
 * about: positive = that way) is more than `minEffectPct` %. At the threshold
 * (within EFFECT_TOLERANCE) it is not; NaN is never beyond.
 */
export function exceedsMinEffect(changePct: number, minEffectPct: number): boolean {
  const scale = Math.max(1, Math.abs(1 + changePct / 100), Math.abs(1 + minEffectPct / 100));
  return (changePct - minEffectPct) / 100 > EFFECT_TOLERANCE * scale;
}
