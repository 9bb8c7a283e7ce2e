/**
 * Schema of plan.json in its three shapes: a run's plan (src/plan/plan.ts),
 * an import's (the files and their cells) and a merge's (the source plans).
 * Readers use it to know which samples were planned: a sample that is
 * planned and has no valid record is missing, whatever run.json says.
 */
import { z } from 'zod';
import { AccelSchema } from './sample.js';
import { CellValues, Count, Line } from './common.js';
import { ProfileName } from './manifest.js';

const Key = Line(4096);
const GroupId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'expected a group id' });

const PlannedCell = z.looseObject({
  key: Key,
  values: CellValues,
  requested: CellValues,
  options: z.record(z.string(), z.unknown()),
  notices: z.array(Line()),
});

export const RunPlanSchema = z.looseObject({
  profileName: ProfileName,
  accel: AccelSchema,
  groups: z.array(
    z.looseObject({
      id: GroupId,
      key: Line(4096),
      boot: CellValues,
      options: z.record(z.string(), z.unknown()),
      cells: z.array(PlannedCell),
    }),
  ),
  pruned: z.array(z.unknown()),
  // `rounds` since reboot_per_repetition; older plans measure one round per visit: [round].
  visits: z.array(z.looseObject({ round: Count, groupId: GroupId, rounds: z.array(Count).optional() })),
  // Both added after the first recorded runs: absent means a reboot per repetition and every cell.
  rebootPerRepetition: z.boolean().optional(),
  cellFilter: z.array(Key).nullish(),
  sampleCount: Count,
});

export const ImportPlanSchema = z.looseObject({
  imported: z.literal(true),
  files: z.array(z.looseObject({ path: Line(4096), cellKey: Key })),
  failed: z.array(Line()),
});

export type StoredPlan = z.output<typeof RunPlanSchema> | z.output<typeof ImportPlanSchema> | MergedPlan;
export interface MergedPlan {
  merged: true;
  sources: { dir: string; plan: StoredPlan }[];
}

export const StoredPlanSchema: z.ZodType<StoredPlan> = z.lazy(() =>
  z.union([RunPlanSchema, ImportPlanSchema, MergedPlanSchema], {
    error: 'expected a plan (of a run, an import or a merge)',
  }),
);

const MergedPlanSchema: z.ZodType<MergedPlan> = z.looseObject({
  merged: z.literal(true),
  sources: z.array(z.looseObject({ dir: Line(4096), plan: StoredPlanSchema })),
});
