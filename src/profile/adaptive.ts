/**
 * `repetitions: auto` and its `adaptive:` block: interleaved rounds until
 * each declared comparison is decided (docs/profiles.md, "Adaptive
 * repetitions"; the rule: docs/statistics.md, "Adaptive repetitions").
 *
 *   repetitions: auto
 *   adaptive:
 *     compare: { axis: iodepth, baseline: 1 }   # each other value vs this one, cells equal on every other axis
 *     metrics: [iops]                            # default [iops]
 *     min_effect: 5                              # % of the baseline median: the margin of both decisions
 *     alpha: 0.05                                # each error rate, over the whole run
 *     min: 6                                     # rounds before the first look (≥ 6: the CI-of-Δ rule)
 *     max: 30
 *     looks: 5                                   # decision points from min to max
 *     budget: 2h                                 # optional: stop the rounds after this much measuring time
 */
import { z } from 'zod';
import { METRICS } from '../model/metrics.js';
import { AXES } from './axes.js';
import { parseDurationSeconds } from './units.js';

/** Rounds are bounded by the exact bootstrap (stats/bootstrap-exact.ts: 500) and by what a run can plan. */
export const MAX_ADAPTIVE_ROUNDS = 200;
/** The first look needs 6 values per side: a CI of Δ below that is not shown (compare/delta-ci.ts). */
export const MIN_ADAPTIVE_ROUNDS = 6;

const rounds = z
  .number({ error: 'expected an integer' })
  .int({ error: 'expected an integer' })
  .min(MIN_ADAPTIVE_ROUNDS, {
    error: `must be at least ${MIN_ADAPTIVE_ROUNDS} (no interval of Δ below 6 values per side)`,
  })
  .max(MAX_ADAPTIVE_ROUNDS, { error: `must be at most ${MAX_ADAPTIVE_ROUNDS}` });

const metricNames = Object.keys(METRICS) as [string, ...string[]];

export const AdaptiveSchema = z
  .strictObject({
    compare: z.strictObject({
      axis: z.enum(AXES.map((a) => a.name) as [string, ...string[]], {
        error: `expected an axis (${AXES.map((a) => a.name).join(', ')})`,
      }),
      baseline: z.union([z.string(), z.number()], { error: 'expected the baseline value of the axis' }),
    }),
    metrics: z
      .array(z.enum(metricNames, { error: `expected a metric (${metricNames.join(', ')})` }))
      .min(1, { error: 'expected at least one metric' })
      .max(metricNames.length)
      .default(['iops']),
    min_effect: z
      .number({ error: 'expected a percentage such as 5' })
      .gt(0, { error: 'must be more than 0 %' })
      .max(100, { error: 'must be at most 100 %' }),
    alpha: z
      .number({ error: 'expected a probability such as 0.05' })
      .gt(0, { error: 'must be more than 0' })
      .max(0.25, { error: 'must be at most 0.25' })
      .default(0.05),
    min: rounds.default(MIN_ADAPTIVE_ROUNDS),
    max: rounds.default(30),
    looks: z
      .number({ error: 'expected an integer' })
      .int({ error: 'expected an integer' })
      .min(1, { error: 'must be at least 1' })
      .max(20, { error: 'must be at most 20' })
      .default(5),
    budget: z
      .union([z.string(), z.number()], { error: 'expected a duration such as 2h' })
      .transform((v, ctx) => {
        const s = parseDurationSeconds(v);
        if (s === null || s < 1) {
          ctx.addIssue({ code: 'custom', message: `expected a duration such as 90m or 2h, got ${JSON.stringify(v)}` });
          return z.NEVER;
        }
        return s;
      })
      .optional(),
  })
  .superRefine((a, ctx) => {
    if (a.min > a.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `must be at most max (${a.max})` });
  });

export type AdaptiveSpec = z.output<typeof AdaptiveSchema>;

/** What the profile-level checks need of a profile. */
interface AdaptiveProfile {
  repetitions: number | 'auto';
  adaptive?: AdaptiveSpec;
  reboot_per_repetition: boolean;
  matrix: Record<string, readonly unknown[] | undefined>;
}

/**
 * The checks across fields, one `path: problem` line each: `auto` and the
 * block go together; rounds interleave only with a boot per round; the
 * compared axis takes two or more values, the baseline among them.
 */
export function adaptiveProblems(p: AdaptiveProfile, axisValues: (axis: string) => string[] | null): string[] {
  if (p.repetitions !== 'auto')
    return p.adaptive ? ['adaptive: only with repetitions: auto (or remove the block)'] : [];
  const a = p.adaptive;
  if (!a) return ['repetitions: auto needs an adaptive: block (at least compare: {axis, baseline} and min_effect)'];
  const problems: string[] = [];
  if (!p.reboot_per_repetition)
    problems.push(
      'reboot_per_repetition: repetitions: auto needs true (rounds interleave across boots; one boot per group cannot)',
    );
  const values = axisValues(a.compare.axis);
  if (!values || values.length < 2) {
    problems.push(
      `adaptive.compare.axis: ${a.compare.axis} must take two or more values in matrix (it has ${values?.length ?? 0})`,
    );
  } else if (!values.includes(String(a.compare.baseline))) {
    problems.push(`adaptive.compare.baseline: ${a.compare.axis} takes ${values.join(', ')}, not ${a.compare.baseline}`);
  }
  return problems;
}

/** Rounds a plan schedules: the fixed count, or auto's maximum (an auto run may stop before). */
export function plannedRepetitions(p: { repetitions: number | 'auto'; adaptive?: AdaptiveSpec }): number {
  return p.repetitions === 'auto' ? (p.adaptive?.max ?? MIN_ADAPTIVE_ROUNDS) : p.repetitions;
}
