/**
 * adaptive.json: what `repetitions: auto` decided and why the rounds stopped
 * (written by run/session.ts from gate/adaptive-rounds.ts; read by the store
 * for completeness and by report/run output). The decisions are a record of
 * the session, recomputable from the samples (`run --resume` recomputes
 * them); the per-cell rounds are what completeness counts as planned once
 * the rounds stopped by the rule.
 */
import { z } from 'zod';
import { Count, Line } from './common.js';

export const ADAPTIVE_KIND = 'vblk-bench adaptive repetitions';

/** decided: every comparison decided; max / budget: the rounds ran out; interrupted: the run did not end (resume continues). */
export const ADAPTIVE_STOPS = ['decided', 'max', 'budget', 'interrupted'] as const;
export type AdaptiveStop = (typeof ADAPTIVE_STOPS)[number];

const Probability = z.number().min(0).max(1);

export const AdaptiveComparisonSchema = z.looseObject({
  baselineKey: Line(4096),
  cellKey: Line(4096),
  metric: Line(64),
  decision: z.enum(['different', 'equivalent', 'undecided', 'open']),
  /** Rounds of the deciding look (or of the last look taken). */
  rounds: Count,
  reason: Line(),
  deltaPct: z.number().nullable(),
  p: Probability.nullable(),
  grey: z.boolean(),
});

export const AdaptiveRecordSchema = z.looseObject({
  kind: z.literal(ADAPTIVE_KIND),
  rule: z.looseObject({
    alpha: Probability,
    alphaPerLook: Probability,
    minEffectPct: z.number().positive(),
    looks: z.array(Count),
    budgetSeconds: z.number().positive().nullable(),
  }),
  stop: z.enum(ADAPTIVE_STOPS),
  /** Rounds measured per cell: the planned repetitions of each cell once the rule stopped them. */
  cells: z.array(z.looseObject({ cellKey: Line(4096), rounds: Count })),
  comparisons: z.array(AdaptiveComparisonSchema),
});

export type AdaptiveRecord = z.output<typeof AdaptiveRecordSchema>;
export type AdaptiveComparisonRecord = z.output<typeof AdaptiveComparisonSchema>;
