/**
 * Visit order. Repetitions are interleaved: a round visits every group once
 * (each visit is one boot), so slow drift of the host shows up in every
 * configuration alike instead of masquerading as a configuration effect.
 * With `reboot_per_repetition: false` each group is booted once and measures
 * all its repetitions there (cells interleaved inside the boot): fewer boots,
 * but groups follow each other (A A A B B B), so drift between groups is not
 * averaged out — use it to compare cells of one group (scheduler, iodepth).
 */
import type { BootGroup } from './groups.js';
import { mulberry32, shuffled } from '../util/prng.js';

export interface Visit {
  /** 0-based repetition round (the first one, when one boot serves several). */
  round: number;
  groupId: string;
  /**
   * Repetitions measured in this boot: `[round]` with a reboot per repetition;
   * every repetition of the group when `reboot_per_repetition: false`.
   */
  rounds: number[];
}

/** What one visit measures, in order: every cell per round, rounds in turn (cells interleaved). */
export function visitMeasurements<C>(visit: Visit, cells: readonly C[]): { round: number; cell: C }[] {
  return visit.rounds.flatMap((round) => cells.map((cell) => ({ round, cell })));
}

export function scheduleVisits(
  groups: BootGroup[],
  opts: { repetitions: number; order: 'round-robin' | 'random'; seed: number; rebootPerRepetition?: boolean },
): Visit[] {
  const random = mulberry32(opts.seed);
  const ids = () =>
    opts.order === 'random'
      ? shuffled(
          groups.map((g) => g.id),
          random,
        )
      : groups.map((g) => g.id);
  if (opts.rebootPerRepetition === false) {
    // Without reboots a group's repetitions share its one boot: groups cannot interleave.
    const rounds = Array.from({ length: opts.repetitions }, (_, i) => i);
    return ids().map((groupId) => ({ round: 0, groupId, rounds }));
  }
  const visits: Visit[] = [];
  for (let round = 0; round < opts.repetitions; round++) {
    for (const groupId of ids()) visits.push({ round, groupId, rounds: [round] });
  }
  return visits;
}
