/**
 * The plan: everything a run will do, decided before anything starts.
 * Pure: the same profile and accel give the same plan.
 */
import { plannedRepetitions } from '../profile/adaptive.js';
import type { Accel } from '../model/sample.js';
import { InputError } from '../model/errors.js';
import type { Profile } from '../profile/schema.js';
import { expandMatrix } from './cells.js';
import { checkRequiredBackends, pruneCells, type PrunedCell } from './rules.js';
import { collapseInapplicable } from './applicability.js';
import { checkConflictingSettings } from './boot-config.js';
import { pinCpuProblems } from '../profile/pin.js';
import type { HostFacts } from './host-facts.js';
import { groupCells, type BootGroup } from './groups.js';
import { scheduleVisits, type Visit } from './schedule.js';
import { estimateDuration, type DurationEstimate } from './estimate.js';

export interface Plan {
  profileName: string;
  accel: Accel;
  groups: BootGroup[];
  pruned: PrunedCell[];
  visits: Visit[];
  /** false: one boot per group serves every repetition (see schedule.ts). */
  rebootPerRepetition: boolean;
  /** Only these cell keys are run (`run --only-cell`, `gate --confirm`); null: every runnable cell. */
  cellFilter: string[] | null;
  /** Runnable cells × repetitions. */
  sampleCount: number;
  estimate: DurationEstimate;
}

/** The runnable cells named by `onlyCells` (all when absent); an unknown or pruned key is bad input. */
function selectCells<C extends { key: string }>(
  runnable: C[],
  pruned: PrunedCell[],
  onlyCells?: readonly string[],
): C[] {
  if (!onlyCells) return runnable;
  const wanted = new Set(onlyCells);
  const problems = [...wanted].flatMap((key) => {
    if (runnable.some((c) => c.key === key)) return [];
    const p = pruned.find((c) => c.cell.key === key);
    return [
      `--only-cell ${key}: ${p ? `pruned: ${p.reason}` : `not a cell of this profile (cells: ${runnable.map((c) => c.key).join(' ')})`}`,
    ];
  });
  if (problems.length > 0) throw new InputError(problems);
  return runnable.filter((c) => wanted.has(c.key));
}

/**
 * `host`: what probeHostFacts found (vm/host-probe.ts). With it, cells this
 * host cannot run are pruned as `unsupported` (an error for `required: true`
 * backends) and `pin:` CPUs are checked; without it the plan is host-blind.
 */
export function makePlan(
  profile: Profile,
  accel: Accel,
  opts: { onlyCells?: readonly string[]; host?: HostFacts } = {},
): Plan {
  checkConflictingSettings(profile);
  if (opts.host) {
    const pinProblems = pinCpuProblems(profile.pin, opts.host.onlineCpus, opts.host.allowedCpus);
    if (pinProblems.length > 0) throw new InputError(pinProblems);
  }
  const { runnable: all, pruned } = pruneCells(collapseInapplicable(expandMatrix(profile)), {
    profile,
    host: opts.host,
  });
  checkRequiredBackends(pruned);
  const runnable = selectCells(all, pruned, opts.onlyCells);
  const groups = groupCells(runnable);
  const rebootPerRepetition = profile.reboot_per_repetition;
  const visits = scheduleVisits(groups, {
    repetitions: plannedRepetitions(profile),
    order: profile.order,
    seed: profile.seed,
    rebootPerRepetition,
  });
  const sampleCount = runnable.length * plannedRepetitions(profile);
  const estimate = estimateDuration({
    accel,
    visits: visits.length,
    samples: sampleCount,
    runtimeS: profile.fio.runtime,
    rampTimeS: profile.fio.ramp_time,
  });
  const cellFilter = opts.onlyCells ? [...opts.onlyCells] : null;
  return {
    profileName: profile.name,
    accel,
    groups,
    pruned,
    visits,
    rebootPerRepetition,
    cellFilter,
    sampleCount,
    estimate,
  };
}

export function groupById(plan: Plan, id: string): BootGroup {
  const group = plan.groups.find((g) => g.id === id);
  if (!group) throw new Error(`plan has no group ${id}`);
  return group;
}
