/**
 * The plan: everything a run will do, decided before anything starts.
 * Pure: the same profile and accel give the same plan.
 */
import type { Accel } from '../model/sample.js';
import type { Profile } from '../profile/schema.js';
import { expandMatrix } from './cells.js';
import { pruneCells, type PrunedCell } from './rules.js';
import { groupCells, type BootGroup } from './groups.js';
import { scheduleVisits, type Visit } from './schedule.js';
import { estimateDuration, type DurationEstimate } from './estimate.js';

export interface Plan {
  profileName: string;
  accel: Accel;
  groups: BootGroup[];
  pruned: PrunedCell[];
  visits: Visit[];
  /** Runnable cells × repetitions. */
  sampleCount: number;
  estimate: DurationEstimate;
}

export function makePlan(profile: Profile, accel: Accel): Plan {
  const { runnable, pruned } = pruneCells(expandMatrix(profile));
  const groups = groupCells(runnable);
  const visits = scheduleVisits(groups, { repetitions: profile.repetitions, order: profile.order, seed: profile.seed });
  const sampleCount = runnable.length * profile.repetitions;
  const estimate = estimateDuration({
    accel,
    visits: visits.length,
    samples: sampleCount,
    runtimeS: profile.fio.runtime,
    rampTimeS: profile.fio.ramp_time,
  });
  return { profileName: profile.name, accel, groups, pruned, visits, sampleCount, estimate };
}

export function groupById(plan: Plan, id: string): BootGroup {
  const group = plan.groups.find((g) => g.id === id);
  if (!group) throw new Error(`plan has no group ${id}`);
  return group;
}
